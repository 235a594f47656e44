// The app in a real browser on a real GPU (issue 33): Chromium headless (playwright-core) opens the
// built app (dist/, served here on 127.0.0.1), loads a model through the page's file input, and
// runs what a researcher runs — Try it, a set of N samples × T tokens, the pruning lab at 0.5 with
// Wanda, an STS run of 16 pairs — recording per step the wall time, what failed and why, the
// adapter as the page sees it (features, limits), the longest main-thread task, and the peak memory
// of the renderer and GPU processes (/proc) and of the GPU (nvidia-smi). Bundled for the GPU
// machine by scripts/bundle-gpu.mjs (playwright-core external); bench/page/run-gpu.sh runs it there.
//   node page-bench.mjs --chromium PATH [--dist dist] [--model FILE] [--samples 16] [--tokens 128]
//     [--precision f32|f16] [--flag F …] --out report.json [--shots DIR]
import { createServer, type Server } from 'node:http';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, extname, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { startMonitor } from './monitor';
import { benchSamples, stsPairs } from './texts';

const { values } = parseArgs({
  options: {
    chromium: { type: 'string' },
    dist: { type: 'string', default: 'dist' },
    model: { type: 'string' },
    samples: { type: 'string', default: '16' },
    tokens: { type: 'string', default: '128' },
    flag: { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
    shots: { type: 'string' },
    'step-timeout': { type: 'string', default: '600' },
    /** the Run panel's precision for the set run (f32, the page's default, or f16) */
    precision: { type: 'string', default: 'f32' },
  },
});
if (!values.chromium || !values.out) throw new Error('--chromium PATH and --out FILE are needed');
const STEP_MS = Number(values['step-timeout']) * 1000;

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gguf': 'application/octet-stream',
  '.jsonl': 'application/octet-stream',
  '.txt': 'text/plain',
};

/** dist/ on 127.0.0.1 at a free port (what `vite preview` does, without node_modules). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${a.port}/` };
}

interface Step {
  name: string;
  ok: boolean;
  ms: number;
  note?: string;
  error?: string;
}

const steps: Step[] = [];
async function step(page: Page, name: string, body: () => Promise<string | void>) {
  const t0 = performance.now();
  try {
    const note = (await body()) ?? undefined;
    steps.push({ name, ok: true, ms: performance.now() - t0, ...(note ? { note } : {}) });
  } catch (e) {
    const error = String((e as Error).message ?? e).split('\n')[0];
    steps.push({ name, ok: false, ms: performance.now() - t0, error });
  }
  const s = steps[steps.length - 1];
  console.log(
    `${name}: ${s.ok ? 'ok' : 'FAILED'} ${(s.ms / 1000).toFixed(1)} s ${s.note ?? s.error ?? ''}`,
  );
  if (values.shots)
    await page.screenshot({ path: join(values.shots, `${name}.png`) }).catch(() => {});
}

/** A file dropped on `selector` (a DataTransfer built in the page, as a person's drag). */
async function drop(page: Page, selector: string, name: string, text: string) {
  await page.evaluate(
    ({ selector, name, text }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], name));
      const el = document.querySelector(selector);
      if (!el) throw new Error(`no element ${selector}`);
      const init = { bubbles: true, cancelable: true, dataTransfer: dt };
      el.dispatchEvent(new DragEvent('dragover', init));
      el.dispatchEvent(new DragEvent('drop', init));
    },
    { selector, name, text },
  );
}

/** The adapter as a page sees it: features, the limits that matter here, its info. */
const adapterInfo = (page: Page) =>
  page.evaluate(async () => {
    const a = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) return null;
    const keys = [
      'maxBufferSize',
      'maxStorageBufferBindingSize',
      'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup',
      'maxStorageBuffersPerShaderStage',
      'maxComputeWorkgroupsPerDimension',
    ] as const;
    const info = a.info as GPUAdapterInfo & {
      subgroupMinSize?: number;
      subgroupMaxSize?: number;
      subgroupMatrixConfigs?: unknown[];
    };
    return {
      features: [...a.features].sort(),
      limits: Object.fromEntries(keys.map((k) => [k, a.limits[k]])),
      info: { vendor: info.vendor, architecture: info.architecture, description: info.description },
      // which operand types the tensor cores take here (i8 would need no shader-f16)
      subgroups: [info.subgroupMinSize, info.subgroupMaxSize],
      subgroupMatrixConfigs: info.subgroupMatrixConfigs ?? [],
      wgslLanguageFeatures: [...(navigator.gpu.wgslLanguageFeatures ?? [])].sort(),
    };
  });

const text = (page: Page, field: string) => page.locator(`[data-field="${field}"]`).innerText();

async function main() {
  const { server, url } = await serve(values.dist!);
  const monitor = startMonitor();
  const browser = await chromium.launch({
    executablePath: values.chromium,
    headless: true,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', ...(values.flag ?? [])],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text().slice(0, 300)));
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message.slice(0, 300)}`));
  await page.addInitScript(() => {
    const w = window as unknown as { __longest: number };
    w.__longest = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  let adapter: Awaited<ReturnType<typeof adapterInfo>> = null;
  await step(page, 'open', async () => {
    adapter = await adapterInfo(page);
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: STEP_MS });
    return `demo ready; adapter ${adapter ? adapter.info.description || adapter.info.vendor : 'none'}`;
  });
  // no adapter: nothing more to measure (Chromium's stderr, DEBUG=pw:browser, says why)
  if (adapter && values.model) await loadModel(page);
  if (adapter && steps.every((s) => s.ok)) await flows(page);
  const longestTaskMs = await page.evaluate(
    () => (window as unknown as { __longest: number }).__longest,
  );
  const report = {
    browser: browser.version(),
    flags: values.flag,
    adapter,
    steps,
    longestTaskMs,
    memory: await monitor.stop(),
    consoleErrors: consoleErrors.slice(0, 40),
  };
  await writeFile(values.out!, JSON.stringify(report, null, 2));
  await browser.close();
  server.close();
}

async function loadModel(page: Page) {
  const { size } = statSync(values.model!);
  await step(page, 'load-model', async () => {
    const before = await text(page, 'model-name');
    await page.locator('[data-field="model-file"]').setInputFiles(values.model!);
    await page.waitForFunction(
      (b) => {
        const name = document.querySelector('[data-field="model-name"]')?.textContent;
        const err = document.querySelector('[data-field="model-error"]')?.textContent;
        if (err) throw new Error(err);
        const ready = document.querySelector('[data-region="model"][data-status="ready"]');
        return !!ready && name !== b;
      },
      before,
      { timeout: STEP_MS, polling: 250 },
    );
    return `${await text(page, 'model-name')}, ${(size / 1e6).toFixed(0)} MB`;
  });
}

async function flows(page: Page) {
  const N = Number(values.samples);
  const T = Number(values.tokens);
  await step(page, 'try-it', async () => {
    await page.locator('[data-action="try-it"]').click();
    await page.locator('[data-field="run-note"]').waitFor({ timeout: STEP_MS });
    return text(page, 'run-note');
  });
  await step(page, 'set-run', async () => {
    // only this set runs: Try it's example sets removed, every sample, no memory check
    while (await page.locator('[data-action="remove-set"]').count())
      await page.locator('[data-action="remove-set"]').first().click();
    await drop(page, 'main', 'bench.txt', benchSamples(N).join('\n'));
    await page.locator('[data-set="bench"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-field="max-tokens"]').fill(String(T));
    await page.locator('[data-field="gpu-budget"]').fill('0');
    await page.locator('[data-field="samples-per-set"]').fill('0');
    await page.locator('[data-field="precision"]').selectOption(values.precision!);
    const before = await text(page, 'run-note').catch(() => '');
    const t0 = performance.now();
    await page.locator('[data-action="run"]').click();
    await page.waitForFunction(
      (b) => {
        const note = document.querySelector('[data-field="run-note"]')?.textContent ?? '';
        const err = document.querySelector('[data-field="run-error"]')?.textContent;
        if (err) throw new Error(err);
        return note !== b && /^Done/.test(note);
      },
      before,
      { timeout: STEP_MS, polling: 100 },
    );
    const s = (performance.now() - t0) / 1000;
    return `${(s / N).toFixed(3)} s per sample (${values.precision}, wall ${s.toFixed(1)} s, ${N} × ${T}); ${await text(page, 'run-note')}`;
  });
  await step(page, 'prune-wanda-0.5', async () => {
    await page.locator('[data-field="prune-calibration"]').selectOption('bench');
    await page.locator('[data-field="prune-eval"]').selectOption('bench');
    await page.locator('[data-field="prune-sparsity"]').fill('0.5');
    for (const m of ['magnitude', 'random'])
      await page
        .locator(`[data-field="prune-method-${m}"]`)
        .uncheck()
        .catch(() => {});
    await page.locator('[data-field="prune-method-wanda"]').check();
    await page.locator('[data-action="prune"]').click();
    await page.locator('[data-field="prune-note"]').waitFor({ timeout: STEP_MS });
    return text(page, 'prune-note');
  });
  await step(page, 'sts-16-pairs', async () => {
    await drop(page, '[data-drop="pairs"]', 'pairs.tsv', stsPairs(16));
    await page.locator('[data-action="run-sts"]').click();
    await page.locator('[data-field="sts-note"]').waitFor({ timeout: STEP_MS });
    return text(page, 'sts-note');
  });
}

await main();
