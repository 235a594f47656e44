// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, and the built app
// (dist/) served by `vite preview` on 127.0.0.1. WebGPU comes from SwiftShader.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'e2e');

/**
 * Flags from ../shared/WEBGPU-ON-CPU.md: WebGPU on, every background request off. playwright
 * gives every launch a fresh temporary profile (user-data dir) of its own.
 */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
  '--disable-domain-reliability',
];

export async function launchBrowser(opts: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET_FLAGS, ...(opts.webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
}

/** Serves dist/ (built by `vite build` before the tests) on 127.0.0.1 at a free port. */
export async function serveApp(): Promise<{ server: PreviewServer; url: string }> {
  if (!existsSync(join(process.cwd(), 'dist', 'index.html'))) {
    throw new Error('dist/index.html is missing: run `vite build` before the e2e tier');
  }
  const server = await preview({
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    logLevel: 'silent',
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/** Records every request the page makes, so a test can assert none leaves the machine. */
export function watchRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** True for URLs that stay on this machine (the app's own origin, data: and blob:). */
export function isLocal(url: string, origin: string): boolean {
  return url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:');
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** Drops files on the element at `selector` through a real DataTransfer (dragover, then drop). */
export async function dropFiles(
  page: Page,
  selector: string,
  files: { name: string; bytes: Uint8Array | string }[],
): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    b64: Buffer.from(typeof f.bytes === 'string' ? Buffer.from(f.bytes) : f.bytes).toString(
      'base64',
    ),
  }));
  await page.evaluate(
    ({ selector, payload }) => {
      const dt = new DataTransfer();
      for (const f of payload) {
        const bin = atob(f.b64);
        const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name));
      }
      const el = document.querySelector(selector);
      if (!el) throw new Error(`no element ${selector}`);
      const init = { bubbles: true, cancelable: true, dataTransfer: dt };
      el.dispatchEvent(new DragEvent('dragover', init));
      el.dispatchEvent(new DragEvent('drop', init));
    },
    { selector, payload },
  );
}

/** Clicks `selector` and returns the bytes of the download it starts (within `timeout` ms). */
export async function downloadOf(
  page: Page,
  selector: string,
  timeout = 30_000,
): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([
    page.waitForEvent('download', { timeout }),
    page.locator(selector).click(),
  ]);
  const path = await d.path();
  const { readFileSync } = await import('node:fs');
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

/** Opens the System panel (adapter, engine self-check, Verify engine), folded by default. */
export async function openSystem(page: Page): Promise<void> {
  await page.locator('[data-region="system"]').evaluate((d: HTMLDetailsElement) => (d.open = true));
}

/** The built app, served and open in Chromium with WebGPU at 1280 × 800, watching requests. */
export async function openApp(): Promise<{
  url: string;
  page: Page;
  requests: string[];
  close: () => Promise<void>;
}> {
  const { server, url } = await serveApp();
  const browser = await launchBrowser({ webgpu: true });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const requests = watchRequests(page);
  await page.goto(url);
  return {
    url,
    page,
    requests,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
