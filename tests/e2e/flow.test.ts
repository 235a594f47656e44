// The research flow in real Chromium (WebGPU on SwiftShader): the demo model ready on open, the
// example sets one click away, a run on the page's GPU whose numbers equal the reference backend
// on the same tokens, the charts drawn, a corrupt model file refused by name with the loaded
// model kept, and no request leaving the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { artifactPath, isLocal, launchBrowser, serveApp, watchRequests } from '../helpers/browser';
import { demoFile } from '../helpers/demo';
import { resultNumbers } from '../helpers/results';
import { loadLlamaWeights } from '../../src/model/weights';
import { runReference } from '../../src/engine/reference';
import type { Results } from '../../src/analysis/results';
import { densitySeries, densitySeriesAt } from '../../src/analysis/views';
import { compareArrays, describeComparison } from '../../src/util/compare';

let server: PreviewServer;
let url: string;
let browser: Browser;
let page: Page;
let requests: string[];

beforeAll(async () => {
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  requests = watchRequests(page);
  await page.goto(url);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('research flow', () => {
  it('opens with the demo model ready', async () => {
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-field="model-name"]').innerText()).toBe(
      'paramscope-demo-5domain',
    );
    expect(await page.locator('[data-field="scored-parameters"]').innerText()).toBe('5,898,240');
  });

  it('loads the five example sets with one click', async () => {
    await page.locator('[data-action="load-examples"]').click();
    await page.locator('[data-set="code"]').waitFor();
    expect(await page.locator('[data-set]').count()).toBe(5);
    await page.screenshot({ path: artifactPath('flow-sets.png'), fullPage: true });
  });

  it('runs two sets on the page GPU and matches the reference backend', async () => {
    for (const name of ['dictionary', 'jargon', 'code']) {
      await page.locator(`[data-set="${name}"] button`).click();
    }
    await page.locator('[data-field="samples-per-set"]').fill('1');
    await page.locator('[data-field="max-tokens"]').fill('6');
    await page.locator('[data-field="threshold"]').fill('0.0003');
    await page.locator('[data-action="run"]').click();
    await page.locator('[data-chart="density"] svg path').first().waitFor({ timeout: 300_000 });
    await page.locator('[data-chart="llmdcos"] svg path').first().waitFor();
    await page.screenshot({ path: artifactPath('flow-views.png'), fullPage: true });
    const r = (await page.evaluate(
      () => (globalThis as { __paramscopeResults?: unknown }).__paramscopeResults,
    )) as Results;
    expect(r.sets.map((s) => s.name)).toEqual(['bible', 'quotes']);
    expect(r.sets.map((s) => s.samples[0].tokens)).toEqual([6, 6]);
    const ref = await runReference(await loadLlamaWeights(await demoFile()), {
      sets: r.sets.map((s) => ({
        name: s.name,
        samples: s.samples.map((x) => ({ source: x.source, tokens: x.tokenIds })),
      })),
      pairs: r.pairs.map((p) => ({ a: p.a, b: p.b })),
      thresholds: r.settings.thresholds,
      metric: r.settings.metric,
      maxTokens: 6,
    });
    const c = compareArrays(resultNumbers(r), resultNumbers(ref), { rel: 1e-4, abs: 1e-12 });
    expect(c.ok, describeComparison('browser GPU vs reference', c)).toBe(true);
    // the density chart draws one line per set, with a point per layer
    expect(await page.locator('[data-chart="density"] [data-series]').count()).toBe(2);
    expect(await page.locator('[data-chart="density"] [data-series="bible"] circle').count()).toBe(
      8,
    );
  }, 660_000);

  it('moves γ and redraws density from the histograms, with no GPU work', async () => {
    const cy = () =>
      page
        .locator('[data-chart="density"] [data-series="bible"] circle')
        .first()
        .getAttribute('cy');
    const before = await cy();
    const progress = await page.locator('[data-field="progress"]').innerText();
    await page.locator('[data-field="gamma"]').evaluate((el: HTMLInputElement) => {
      el.value = '-2';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await page.locator('[data-field="gamma-value"]').innerText()).toBe('0.010');
    await expect.poll(cy).not.toBe(before);
    const r = (await page.evaluate(
      () => (globalThis as { __paramscopeResults?: unknown }).__paramscopeResults,
    )) as Results;
    expect(densitySeriesAt(r, 1e-2)[0].values[0]).toBeLessThan(densitySeries(r, 0)[0].values[0]);
    // the same results document, and no new run: the progress line is untouched
    expect(await page.locator('[data-field="progress"]').innerText()).toBe(progress);
    await page.screenshot({ path: artifactPath('flow-gamma.png'), fullPage: true });
  });

  it('refuses a corrupt model file by name and keeps the loaded model', async () => {
    await page.locator('[data-field="model-file"]').setInputFiles({
      name: 'broken.gguf',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('GGUF\u0003\u0000\u0000\u0000garbage that ends too soon'),
    });
    await page.locator('[data-field="model-error"]').waitFor();
    expect(await page.locator('[data-field="model-error"]').innerText()).toMatch(/^broken\.gguf: /);
    expect(await page.locator('[data-field="model-name"]').innerText()).toBe(
      'paramscope-demo-5domain',
    );
    await page.screenshot({ path: artifactPath('flow-bad-file.png'), fullPage: true });
    const origin = new URL(url).origin;
    expect(requests.filter((u) => !isLocal(u, origin))).toEqual([]);
  });
});
