// The research flow of issue 6 in real Chromium (WebGPU on SwiftShader): demo model ready on
// open → two example files dropped as two sets → a run on the page's GPU whose numbers and drawn
// values equal the CLI's on the same files → γ moved with no GPU work → SVG, PNG and CSV exports
// checked → every view drawn and screenshotted → reload: the charts at once from the cache, and
// a second run computes nothing → a corrupt .gguf dropped and refused by name → no request left
// the machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import {
  artifactPath,
  downloadOf,
  dropFiles,
  isLocal,
  launchBrowser,
  serveApp,
  watchRequests,
} from '../helpers/browser';
import { expectAccessible } from '../helpers/axe';
import { analyzeCli } from '../helpers/cli';
import { DEMO_GGUF, exampleSetFiles } from '../helpers/demo';
import { pngInfo } from '../helpers/png';
import { resultNumbers } from '../helpers/results';
import type { Results } from '../../src/analysis/results';
import { headerLength, parseHeader } from '../../src/scores/safetensors';
import { MATRICES, MATRIX_TENSOR } from '../../src/model/config';
import {
  densitySeries,
  densitySeriesAt,
  densityView,
  llmdcosBoxes,
} from '../../src/analysis/views';
import { layerSparsity } from '../../src/analysis/allocation';
import { dataGamma } from '../../src/analysis/gamma';
import { compareArrays, describeComparison } from '../../src/util/compare';

let server: PreviewServer;
let url: string;
let browser: Browser;
let page: Page;
let requests: string[];
let cli: Results;

// two samples of each of two domains, from the shipped example sets
const { dir, files } = exampleSetFiles('paramscope-e2e-', ['bible', 'quotes']);
const MAX_TOKENS = 5;

const expectRel = (got: number, want: number, rel: number) =>
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(rel * Math.abs(want));

const pageResults = async () =>
  (await page.evaluate(
    () => (globalThis as unknown as { paramscope: { results: unknown } }).paramscope.results,
  )) as Results;

beforeAll(async () => {
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  requests = watchRequests(page);
  await page.goto(url);
  // the same files through the command line (reference backend), for the comparisons below
  const out = join(dir, 'cli.json');
  await analyzeCli([
    '--model',
    DEMO_GGUF,
    ...files.flatMap((f) => ['--set', `${f.name.replace('.jsonl', '')}=${f.path}`]),
    '--pair',
    'bible:quotes',
    '--max-tokens',
    String(MAX_TOKENS),
    '--out',
    out,
  ]);
  cli = JSON.parse(readFileSync(out, 'utf8')) as Results;
}, 300_000);
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
    await page.screenshot({ path: artifactPath('flow-open.png') });
    await expectAccessible(page, 'first open');
  });

  it('takes two example files dropped on the page as two sets', async () => {
    for (const f of files) await dropFiles(page, 'main', [f]);
    await page.locator('[data-set="quotes"]').waitFor();
    expect(await page.locator('[data-set]').count()).toBe(2);
    expect(await page.locator('[data-field="notice"]').innerText()).toMatch(/new set from quotes/);
    // the sample list shows texts as text, with token counts after truncation
    await page.locator('[data-set="bible"] [data-action="samples"]').click();
    await page.locator('[data-field="max-tokens"]').fill(String(MAX_TOKENS));
    await expect
      .poll(() => page.locator('tr.samples li').first().innerText())
      .toMatch(new RegExp(`^${MAX_TOKENS} of \\d+ tok`));
    await page.screenshot({ path: artifactPath('flow-sets.png'), fullPage: true });
    // the demo's buffers (MiB) and the 1 GiB the driver and WebGPU hold beside them
    expect(await page.locator('[data-field="memory-total"]').innerText()).toMatch(/^1\.\d+ GiB$/);
    expect(await page.locator('[data-field="memory"]').innerText()).toMatch(
      /driver and WebGPU runtime 1 GiB/,
    );
  });

  it('runs on the page GPU; numbers and drawn values equal the CLI on the same files', async () => {
    await page.locator('[data-action="run"]').click();
    // a model dropped during the run (even the same file) is refused: its weights stay as they are
    await page.locator('[data-field="model-locked"]').waitFor();
    expect(await page.locator('[data-field="model-file"]').isDisabled()).toBe(true);
    await dropFiles(page, 'main', [
      { name: 'paramscope-demo.gguf', bytes: readFileSync(DEMO_GGUF) },
    ]);
    expect(await page.locator('[data-field="model-error"]').innerText()).toBe(
      'paramscope-demo.gguf was not loaded. A run is in progress: cancel it (or let it finish) before loading another model.',
    );
    await page.locator('[data-chart="boxplot"] [data-box]').first().waitFor({ timeout: 600_000 });
    await page.locator('[data-field="run-note"]').waitFor();
    expect(await page.locator('[data-field="run-note"]').innerText()).toMatch(
      /^Done: 2 set\(s\) and 1 pair\(s\) computed, 0 set\(s\) and 0 pair\(s\) from the cache/,
    );
    const r = await pageResults();
    expect(r.sets.map((s) => s.name)).toEqual(['bible', 'quotes']);
    expect(r.sets.map((s) => s.samples.map((x) => x.tokenIds))).toEqual(
      cli.sets.map((s) => s.samples.map((x) => x.tokenIds)),
    );
    const c = compareArrays(resultNumbers(r), resultNumbers(cli), { rel: 1e-4, abs: 1e-12 });
    expect(c.ok, describeComparison('browser GPU vs CLI reference', c)).toBe(true);
    // what the charts draw: density points and boxplot medians, against the CLI's numbers
    const drawn = await page
      .locator('[data-chart="density"] [data-series="bible"] circle')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    // one γ, from the data: the largest 0.1-decade step at which the densest layer is ≥ 50 %
    const gamma = 10 ** Number(await page.locator('[data-field="gamma"]').inputValue());
    expect(gamma).toBeCloseTo(dataGamma(cli), 12);
    expect(await page.locator('[data-field="gamma-source"]').innerText()).toMatch(
      /^from the data: the densest layer at 50 %/,
    );
    const want = densitySeriesAt(cli, gamma)[0].values;
    expect(
      Math.max(...densitySeriesAt(cli, gamma).flatMap((s) => s.values)),
    ).toBeGreaterThanOrEqual(0.5);
    expect(drawn).toHaveLength(8);
    // counts near γ may differ by a few parameters between f32 (GPU) and f64 (CLI reference)
    drawn.forEach((v, l) => expectRel(v, want[l], 1e-4));
    const medians = await page
      .locator('[data-chart="boxplot"] [data-median]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-median'))));
    const boxes = llmdcosBoxes(cli, 0);
    expect(medians).toHaveLength(8);
    medians.forEach((v, l) => expect(v).toBeCloseTo(boxes[l].median, 4));
    // it fits a 1280 × 800 window: nothing widens the page (long sample texts, charts)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
    await page.screenshot({ path: artifactPath('flow-views.png'), fullPage: true });
    await page.screenshot({ path: artifactPath('flow-views-1280x800.png') });
    // the views fill a larger window
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifactPath('flow-views-1920x1080.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await expectAccessible(page, 'every view drawn');
  }, 660_000);

  it('exports a set’s per-weight scores: a safetensors file whose sums are the run’s Σ A', async () => {
    // no File System Access dialog in an automated page: the download path (models under 1 GiB)
    await page.evaluate(() =>
      Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }),
    );
    await page.locator('[data-field="scores-set"]').selectOption('bible');
    const file = await downloadOf(page, '[data-action="export-scores"]', 100_000);
    expect(file.name).toBe('bible.safetensors');
    const b = new Uint8Array(file.bytes);
    const n = headerLength(b.subarray(0, 8), b.length);
    const h = parseHeader(b.subarray(8, 8 + n), b.length);
    expect(h.metadata).toMatchObject({
      schema: 'paramscope.scores/1',
      set: 'bible',
      metric: 'grad_x_weight',
    });
    const set = cli.sets[0];
    expect(h.metadata.samples).toBe(String(set.samples.length));
    const c = cli.model.config;
    for (let l = 0; l < c.blockCount; l++)
      MATRICES.forEach((m, mi) => {
        const t = h.tensors.find((x) => x.name === `blk.${l}.${MATRIX_TENSOR[m]}.weight`)!;
        const v = new Float32Array(
          b.slice(h.dataStart + t.offsets[0], h.dataStart + t.offsets[1]).buffer,
        );
        const got = v.reduce((a, x) => a + x, 0);
        // Σ over the weights of Σ over the samples of A = Σ over the samples of the run's Σ A
        const want = set.samples.reduce((a, x) => a + x.sumA[l][mi], 0);
        expectRel(got, want, 1e-4);
      });
    await page
      .locator('[data-field="notice"]')
      .filter({ hasText: 'Exported the scores of "bible"' })
      .waitFor();
  }, 120_000);

  it('a cancelled scores export writes nothing and says so', async () => {
    let downloads = 0;
    const count = () => downloads++;
    page.on('download', count);
    await page.locator('[data-field="scores-set"]').selectOption('quotes');
    await page.locator('[data-action="export-scores"]').click();
    await page.locator('[data-action="cancel"]').click();
    await page
      .locator('[data-field="notice"]')
      .filter({ hasText: 'Export scores of "quotes" cancelled: nothing was written.' })
      .waitFor({ timeout: 100_000 });
    page.off('download', count);
    expect(downloads).toBe(0);
    expect(await page.locator('[data-action="export-scores"]').isDisabled()).toBe(false);
  }, 120_000);

  it('moves γ and redraws density from the histograms, with no GPU work', async () => {
    const progress = await page.locator('[data-field="progress"]').innerText();
    await page.locator('[data-field="gamma"]').evaluate((el: HTMLInputElement) => {
      el.value = '-2';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(await page.locator('[data-field="gamma-value"]').innerText()).toBe('0.010');
    const values = () =>
      page
        .locator('[data-chart="density"] [data-series="bible"] circle')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    const want = densitySeriesAt(cli, 1e-2)[0].values;
    await expect
      .poll(async () => Math.abs((await values())[0] - want[0]) / want[0])
      .toBeLessThan(1e-4);
    (await values()).forEach((v, l) => expectRel(v, want[l], 1e-4));
    expect(want[0]).toBeLessThan(densitySeries(cli, 0)[0].values[0]);
    expect(await page.locator('[data-field="gamma-source"]').innerText()).toMatch(/^chosen by you/);
    // the terms are defined on the page: γ's "?" shows its one line, and hides it again
    await page.locator('[data-chart="density"] [data-term="gamma"]').click();
    expect(await page.locator('[data-definition="gamma"]').innerText()).toMatch(
      /^γ: the activation threshold/,
    );
    await page.locator('[data-chart="density"] [data-term="gamma"]').click();
    expect(await page.locator('[data-definition="gamma"]').count()).toBe(0);
    // no new run: the progress line is untouched
    expect(await page.locator('[data-field="progress"]').innerText()).toBe(progress);
    await page
      .locator('[data-chart="density"]')
      .screenshot({ path: artifactPath('view-density.png') });
  });

  it('has one tooltip for every series: a click on a layer pins its values, another frees it', async () => {
    const chart = page.locator('[data-chart="density"]');
    const overlay = chart.locator('[data-overlay]');
    await overlay.scrollIntoViewIfNeeded();
    const box = (await overlay.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const rows = chart.locator('[data-crosshair] text');
    await expect.poll(() => rows.count()).toBeGreaterThan(1);
    expect(await rows.first().textContent()).toMatch(/^layer \d+ \(pinned\)$/);
    // every set's value at that layer, to 4 significant figures
    for (const t of (await rows.allTextContents()).slice(1))
      expect(t).toMatch(/^\S.*: \d(\.\d{1,3})?(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?$|^\S.*: 0\.\d{1,6}$/);
    await chart.screenshot({ path: artifactPath('view-density-tooltip.png') });
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await rows.first().textContent()).not.toMatch(/pinned/);
  });

  it('draws the layer-wise sparsity allocation from the density at the views’ γ', async () => {
    const chart = page.locator('[data-chart="allocation"]');
    const drawn = () =>
      chart
        .locator('[data-series^="S_i"] circle')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    const counts = densityView(
      { ...cli, sets: [cli.sets[0]] },
      { at: { gamma: 1e-2 }, mode: 'count' },
    )[0].values;
    const want = layerSparsity(counts, 0.5);
    await expect.poll(async () => (await drawn()).length).toBe(8);
    (await drawn()).forEach((v, l) => expect(Math.abs(v - want[l])).toBeLessThan(1e-4));
    expect(await chart.locator('[data-series="uniform S = 0.5"] circle').count()).toBe(8);
    // the paper's 32-layer list cannot be laid over 8 layers; a list of yours can
    expect(await chart.locator('[data-series="paper, Llama-2-7B"]').count()).toBe(0);
    await chart.locator('summary', { hasText: 'your list' }).click();
    await chart.locator('[data-field="alloc-list"]').fill('0.5\n0.4\n0.3');
    expect(await chart.locator('[data-field="alloc-list-error"]').innerText()).toMatch(
      /3 values for 8 layers/,
    );
    await chart.locator('[data-field="alloc-list"]').fill('0.5 0.4 0.3 0.5 0.6 0.5 0.4 0.3');
    await expect.poll(() => chart.locator('[data-series="your list"] circle').count()).toBe(8);
    await chart.locator('[data-field="alloc-s"]').fill('1');
    expect(await chart.locator('[data-field="alloc-error"]').innerText()).toMatch(
      /sparsity 1: needs 0 ≤ S < 1/,
    );
    await chart.locator('[data-field="alloc-s"]').fill('0.5');
    await chart.screenshot({ path: artifactPath('view-allocation.png') });
  });

  it('exports SVG, PNG, CSV and JSON of the density chart with what it draws', async () => {
    const sel = (k: string) => `[data-chart="density"] [data-export="${k}"]`;
    const svg = await downloadOf(page, sel('svg'));
    expect(svg.name).toBe('density.svg');
    const text = svg.bytes.toString('utf8');
    expect(text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('data-series="bible"');
    expect(text).toContain('Activated parameters per layer (mean A &gt; 0.010)');
    // the figure says what it shows, under the chart: model, sets, metric, γ, tokens, engine
    expect(text).toMatch(
      /data-about="">[^<]* · sets bible, quotes · grad_x_weight · γ 1\.0e-2 · ≤ /,
    );
    const png = await downloadOf(page, sel('png'));
    const info = pngInfo(png.bytes);
    expect([info.width, info.height]).toEqual([1280, 2 * (320 + 18)]);
    expect(info.inked).toBeGreaterThan(2000);
    const csv = (await downloadOf(page, sel('csv'))).bytes.toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('layer,bible,quotes');
    expect(csv).toHaveLength(9);
    const want = densitySeriesAt(cli, 1e-2);
    csv.slice(1).forEach((row, l) => {
      const [layer, a, b] = row.split(',').map(Number);
      expect(layer).toBe(l);
      expectRel(a, want[0].values[l], 1e-4);
      expectRel(b, want[1].values[l], 1e-4);
    });
    const json = JSON.parse((await downloadOf(page, sel('json'))).bytes.toString('utf8'));
    expect(json.gamma).toBeCloseTo(0.01, 12);
    expect(json.series.map((s: { name: string }) => s.name)).toEqual(['bible', 'quotes']);
    const box = (await downloadOf(page, '[data-chart="boxplot"] [data-export="csv"]')).bytes
      .toString('utf8')
      .trim()
      .split('\n');
    expect(box[0]).toBe('layer,n,min,lo,q1,median,q3,hi,max,mean,outliers');
    expect(Number(box[1].split(',')[5])).toBeCloseTo(llmdcosBoxes(cli, 0)[0].median, 4);
  });

  it('draws every view, and the layer toggles drive the summaries', async () => {
    for (const v of ['boxplot', 'llmdcos', 'set-matrix', 'heatmap', 'sample'])
      await page
        .locator(`[data-chart="${v}"] svg`)
        .screenshot({ path: artifactPath(`view-${v}.png`) });
    expect(
      await page.locator('[data-chart="set-matrix"] [data-cell="0,1"]').getAttribute('data-value'),
    ).toMatch(/^0\.\d+/);
    expect(await page.locator('[data-chart="heatmap"] [data-cell]').count()).toBe(8 * 7);
    // the sample view: tokens as text, two samples side by side
    await page.locator('[data-field="sample-b"]').selectOption('1:0');
    expect(await page.locator('[data-field="sample-side"] .card').count()).toBe(2);
    expect(await page.locator('[data-chart="sample"] [data-series]').count()).toBe(2);
    await page
      .locator('[data-chart="sample"]')
      .screenshot({ path: artifactPath('view-sample-compare.png') });
    // switch off layers 0 and 7: the boxplot and the heatmap lose them
    await page.locator('[data-layer-toggle="0"]').uncheck();
    await page.locator('[data-layer-toggle="7"]').uncheck();
    expect(await page.locator('[data-chart="boxplot"] [data-box]').count()).toBe(6);
    expect(await page.locator('[data-chart="heatmap"] [data-cell]').count()).toBe(6 * 7);
    expect(await page.locator('[data-chart="density"] [data-excluded]').count()).toBe(2);
    await page
      .locator('[data-region="layers"]')
      .screenshot({ path: artifactPath('view-layers.png') });
    await page.locator('[data-action="all-layers"]').click();
    expect(await page.locator('[data-chart="boxplot"] [data-box]').count()).toBe(8);
  });

  it('reloads with the charts at once from the cache; a second run computes nothing', async () => {
    const before = await pageResults();
    await page.reload();
    await page.locator('[data-chart="boxplot"] [data-box]').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-field="notice"]').innerText()).toMatch(/last session/);
    expect(await page.locator('[data-set]').count()).toBe(2);
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    // two sets, one pair, the last session, and the pruning lab's choices (saved before any point)
    expect(await page.locator('[data-region="cache"] tr[data-kind]').count()).toBe(5);
    await page.locator('[data-action="run"]').click();
    await page.locator('[data-field="run-note"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-field="run-note"]').innerText()).toMatch(
      /^Done: 0 set\(s\) and 0 pair\(s\) computed, 2 set\(s\) and 1 pair\(s\) from the cache/,
    );
    const info = (await page.evaluate(
      () => (globalThis as unknown as { paramscope: { lastRun: unknown } }).paramscope.lastRun,
    )) as { gpuRuns: number };
    expect(info.gpuRuns).toBe(0);
    expect(resultNumbers(await pageResults())).toEqual(resultNumbers(before));
    await page.screenshot({ path: artifactPath('flow-reloaded.png'), fullPage: true });
  });

  it('lists the cache with sizes; delete removes one entry, clear the rest', async () => {
    const rows = page.locator('[data-region="cache"] tr[data-kind]');
    expect(await rows.count()).toBe(5);
    expect(await rows.first().innerText()).toMatch(/\d+(\.\d+)? (B|KiB|MiB)/);
    await page.locator('[data-region="cache"] tr[data-kind="pair"] button').click();
    await expect.poll(() => rows.count()).toBe(4);
    await page
      .locator('[data-region="cache"]')
      .screenshot({ path: artifactPath('view-cache.png') });
    // without the pair entry the next run computes the pair (with its two sets) again
    // Clear asks first: Keep leaves every entry, Delete all removes them
    await page.locator('[data-action="clear-cache"]').click();
    await page.locator('[data-action="keep-cache"]').click();
    expect(await rows.count()).toBe(4);
    await page.locator('[data-action="clear-cache"]').click();
    await page.locator('[data-action="confirm-clear-cache"]').click();
    await expect.poll(() => rows.count()).toBe(0);
  });

  it('refuses a corrupt .gguf dropped on the page by name and keeps the loaded model', async () => {
    await dropFiles(page, 'main', [
      { name: 'broken.gguf', bytes: 'GGUF\u0003\u0000\u0000\u0000garbage that ends too soon' },
    ]);
    await page.locator('[data-field="model-error"]').waitFor();
    expect(await page.locator('[data-field="model-error"]').innerText()).toMatch(/^broken\.gguf: /);
    expect(await page.locator('[data-field="model-name"]').innerText()).toBe(
      'paramscope-demo-5domain',
    );
    expect(await page.locator('[data-chart="density"] svg circle').count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('flow-bad-file.png'), fullPage: true });
    const origin = new URL(url).origin;
    expect(requests.filter((u) => !isLocal(u, origin))).toEqual([]);
  });
});
