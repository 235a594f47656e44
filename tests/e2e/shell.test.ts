// The app shell in real Chromium: the SwiftShader adapter shown, the engine self-check passing
// with real numbers, no request leaving the machine; and the explanation page without WebGPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { readFileSync } from 'node:fs';
import {
  artifactPath,
  dropFiles,
  isLocal,
  openSystem,
  launchBrowser,
  serveApp,
  watchRequests,
} from '../helpers/browser';
import { expectAccessible } from '../helpers/axe';

interface SelfCheckRow {
  name: string;
  ok: boolean;
  count: number;
  maxRelDiff: number;
}

let server: PreviewServer;
let url: string;
let browser: Browser;

beforeAll(async () => {
  ({ server, url } = await serveApp());
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('app shell with WebGPU (SwiftShader)', () => {
  it('shows the adapter, passes the in-page engine self-check and stays local', async () => {
    browser = await launchBrowser({ webgpu: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests = watchRequests(page);
    await page.goto(url);

    // results first: the adapter and the self-check fold into the System panel, its summary
    // line saying what they found
    await expect
      .poll(() => page.locator('[data-field="system-summary"]').innerText(), { timeout: 120_000 })
      .toMatch(/^System · .* · self-check: all 20 ops pass$/);
    await openSystem(page);
    await page.locator('[data-region="webgpu"] [data-field="vendor"]').waitFor();
    const description = await page.locator('[data-field="description"]').innerText();
    const architecture = await page.locator('[data-field="architecture"]').innerText();
    expect(`${description} ${architecture}`.toLowerCase()).toContain('swiftshader');
    expect(await page.locator('[data-field="shader-f16"]').innerText()).toBe('no');
    expect(await page.locator('[data-field="subgroup-matrix"]').innerText()).toBe('no');
    expect(await page.locator('[data-field="maxStorageBufferBindingSize"]').innerText()).toMatch(
      /GiB|MiB/,
    );

    await page.locator('[data-region="selfcheck"]:not([data-status="running"])').waitFor();
    const rows = (await page.evaluate(
      () => (globalThis as unknown as { paramscope: { selfCheck: unknown } }).paramscope.selfCheck,
    )) as SelfCheckRow[];
    // every op the engine runs (tests/gpu/selfcheck.test.ts: every entry point a run dispatches),
    // and the pruning lab's mask
    expect(rows.map((r) => r.name.split(' ')[0])).toEqual([
      'embedding_forward',
      'rmsnorm_forward',
      'rmsnorm_backward',
      'linear_forward',
      'linear_backward_input',
      'rope_forward',
      'rope_backward',
      'attention_forward',
      'attention_backward',
      'add_forward',
      'add_accumulate',
      'add_bias',
      'swiglu_forward',
      'swiglu_backward',
      'colnorm_forward',
      'colsumsq_add',
      'score_reduce',
      'density_finish',
      'head_argmax',
      'prune_mask',
    ]);
    for (const r of rows) {
      expect(r.ok, `${r.name}: max rel ${r.maxRelDiff}`).toBe(true);
      expect(r.count).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-region="selfcheck"]').getAttribute('data-status')).toBe(
      'pass',
    );
    expect(await page.locator('[data-field="selfcheck-summary"]').innerText()).toMatch(
      /^all 20 op checks pass/,
    );
    for (const region of ['model', 'sets', 'run', 'views']) {
      await expect(page.locator(`[data-region="${region}"]`).isVisible()).resolves.toBe(true);
    }

    await page.screenshot({ path: artifactPath('shell-swiftshader.png'), fullPage: true });
    const origin = new URL(url).origin;
    const outside = requests.filter((u) => !isLocal(u, origin));
    expect(outside, 'requests that left the machine').toEqual([]);
    expect(requests.length).toBeGreaterThan(1);
    await page.close();
  });
});

describe('app shell without WebGPU', () => {
  it('explains what to do when the browser offers no adapter', async () => {
    const plain = await launchBrowser({ webgpu: false });
    try {
      const page = await plain.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      const panel = page.locator('[data-region="no-webgpu"]');
      await panel.waitFor();
      expect(['no-adapter', 'no-navigator-gpu']).toContain(await panel.getAttribute('data-reason'));
      expect(await panel.innerText()).toContain('Chrome or Edge');
      // results made elsewhere still open and draw: the views need no GPU
      await dropFiles(page, 'main', [
        {
          name: 'results.json',
          bytes: readFileSync('docs/examples/results-f32-fixture.json'),
        },
        { name: 'model.gguf', bytes: 'GGUF' },
      ]);
      await page.locator('[data-chart="density"] svg path').first().waitFor();
      expect(await page.locator('[data-field="results-info"]').innerText()).toMatch(/set\(s\)/);
      expect(await page.locator('[data-field="notice"]').innerText()).toMatch(
        /Imported results\.json\. model\.gguf: without WebGPU only results and sessions \(\.json\) open here\./,
      );
      await page.screenshot({ path: artifactPath('shell-no-webgpu.png'), fullPage: true });
      await expectAccessible(page, 'without WebGPU, results imported');
    } finally {
      await plain.close();
    }
  });
});
