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
