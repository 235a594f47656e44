// A run that meets a GPU failure in the page ends with a named error: a weight buffer destroyed
// under it (what loading another model used to do), then the device lost. Nothing of the failed
// run is drawn or cached, and the results from before stay. The failures come from the test
// alone: an init script keeps the page's device and its buffers by label (no hook in the app).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { artifactPath, launchBrowser, serveApp } from '../helpers/browser';
import type { Results } from '../../src/analysis/results';

let server: PreviewServer;
let browser: Browser;
let page: Page;

type TestWindow = Window & {
  __testDevice?: GPUDevice;
  __testBuffers?: Map<string, GPUBuffer>;
  paramscope: { results: Results | null };
};

beforeAll(async () => {
  let url: string;
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(() => {
    const w = window as unknown as TestWindow;
    w.__testBuffers = new Map();
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d) {
      const device = await request.call(this, d);
      w.__testDevice = device;
      const create = device.createBuffer.bind(device);
      device.createBuffer = (desc: GPUBufferDescriptor) => {
        const b = create(desc);
        if (desc.label) w.__testBuffers!.set(desc.label, b);
        return b;
      };
      return device;
    };
  });
  await page.goto(url);
  await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const results = () => page.evaluate(() => (window as unknown as TestWindow).paramscope.results);
const cachedUnits = () => page.locator('[data-field="cache-entries"] tr[data-kind="set"]').count();

/** Sets max tokens (a new cache signature), starts a run and, once it runs, calls `fail`. */
async function runAndFail(maxTokens: number, fail: () => Promise<void>): Promise<string> {
  await page.locator('[data-field="max-tokens"]').fill(String(maxTokens));
  await page.locator('[data-action="run"]').click();
  await page.locator('[data-field="model-locked"]').waitFor();
  await fail();
  await page.locator('[data-field="run-error"]').waitFor({ timeout: 120_000 });
  await page.locator('[data-field="model-locked"]').waitFor({ state: 'detached' });
  return page.locator('[data-field="run-error"]').innerText();
}

describe('GPU failures during a run in the page', () => {
  it('a clean run first: its results are drawn and cached', async () => {
    await page.locator('summary', { hasText: 'Paste text' }).click();
    await page.locator('[data-field="paste-set"]').fill('tiny');
    await page
      .locator('[data-field="paste-text"]')
      .fill('The cat sat on the mat.\n\nA dog ran home.');
    await page.locator('[data-action="paste"]').click();
    await page.locator('[data-set="tiny"]').waitFor();
    await page.locator('[data-field="pairing"]').selectOption('none');
    await page.locator('[data-field="max-tokens"]').fill('6');
    await page.locator('[data-action="run"]').click();
    await page.locator('[data-field="run-note"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-field="run-note"]').innerText()).toMatch(/^Done: 1 set\(s\)/);
    expect((await results())?.settings.maxTokens).toBe(6);
    expect(await cachedUnits()).toBe(1);
  });

  it('a weight buffer destroyed mid-run: a named validation error, nothing cached, results kept', async () => {
    const msg = await runAndFail(7, () =>
      page.evaluate(() => {
        const b = (window as unknown as TestWindow).__testBuffers!.get('blk.7.ffn_up.weight');
        if (!b) throw new Error('no buffer blk.7.ffn_up.weight');
        b.destroy();
      }),
    );
    expect(msg).toMatch(
      /^GpuRunError: the GPU run failed: WebGPU validation error: .*Earlier results are kept/,
    );
    expect(msg).not.toContain('\n');
    expect((await results())?.settings.maxTokens).toBe(6);
    expect(await page.locator('[data-chart="density"] [data-series="tiny"] circle').count()).toBe(
      8,
    );
    expect(await cachedUnits()).toBe(1);
  });

  it('the device lost mid-run: a named error, nothing cached, results kept', async () => {
    // a fresh page: the model back on a new device, the session and results from the cache
    await page.reload();
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect((await results())?.settings.maxTokens ?? 6).toBe(6);
    const msg = await runAndFail(8, () =>
      page.evaluate(() => (window as unknown as TestWindow).__testDevice!.destroy()),
    );
    // which failure lands first is a race: the loss itself, a WebGPU error, or a readback the
    // destroyed device aborted — each a named run error
    expect(msg).toMatch(
      /^GpuRunError: the GPU run failed: (the GPU device was lost|WebGPU|a readback was aborted by the GPU)/,
    );
    expect(await cachedUnits()).toBe(1);
    expect(await page.locator('[data-chart="density"] [data-series="tiny"] circle').count()).toBe(
      8,
    );
    // the page says the device is gone and how to go on, above the session it keeps
    expect(await page.locator('[data-region="no-webgpu"]').getAttribute('data-reason')).toBe(
      'device-lost',
    );
    await page.screenshot({ path: artifactPath('run-device-lost.png') });
  });
});
