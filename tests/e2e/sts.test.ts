// The STS lab in Chromium on the demo model: a pairs file dropped on the lab → run on the page's
// GPU → ρ per layer and the scatter drawn, with the numbers of `npm run sts` (reference backend)
// on the same file; the window moved on the CPU (no GPU work); a bad file refused by name with
// the loaded pairs kept; the shipped example one click away.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { artifactPath, launchBrowser, serveApp } from '../helpers/browser';
import { expectAccessible } from '../helpers/axe';
import { stsCli } from '../helpers/cli';
import { compareArrays, describeComparison } from '../../src/util/compare';
import type { StsDocument } from '../../src/engine/sts';

let server: PreviewServer;
let browser: Browser;
let page: Page;

const MAX_TOKENS = 6;
const PAIRS = [
  'sentence1\tsentence2\tscore',
  'In the beginning God created\tAnd God said, Let there\t4',
  'def close(self):\tdef open(self, name):\t3.5',
  'In the beginning God created\tdef close(self):\t0.5',
  'def close(self):\tA fool and his money\t0',
].join('\n');

type StsWindow = Window & { paramscope: { sts: StsDocument[] } };
const docs = () => page.evaluate(() => (window as unknown as StsWindow).paramscope.sts);

/** Drops a file with `text` onto the lab's drop zone, as a person dragging it from a folder. */
async function dropFile(name: string, text: string, zeros = 0) {
  const dt = await page.evaluateHandle(
    ([n, t, z]) => {
      const d = new DataTransfer();
      d.items.add(new File(z ? [new Uint8Array(z)] : [t], n));
      return d;
    },
    [name, text, zeros] as const,
  );
  await page.dispatchEvent('[data-drop="pairs"]', 'drop', { dataTransfer: dt });
}

beforeAll(async () => {
  let url: string;
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the STS lab', { timeout: 900_000 }, () => {
  it('drop → run → ρ per layer and scatter drawn with the CLI’s numbers', async () => {
    await page.locator('[data-field="max-tokens"]').fill(String(MAX_TOKENS));
    await dropFile('pairs.tsv', PAIRS);
    await expect
      .poll(() => page.locator('[data-field="pairs-info"]').innerText())
      .toMatch(/pairs\.tsv: 4 pairs/);
    await page.locator('[data-action="run-sts"]').click();
    await page.locator('[data-field="sts-note"]').waitFor({ timeout: 400_000 });
    expect(await page.locator('[data-field="sts-note"]').innerText()).toMatch(
      /Done: 1 metric\(s\) over 4 pairs \(5 distinct sentences/,
    );
    const [doc] = await docs();

    const dir = mkdtempSync(join(tmpdir(), 'paramscope-sts-e2e-'));
    writeFileSync(join(dir, 'pairs.tsv'), PAIRS);
    const out = join(dir, 'sts.json');
    await stsCli([
      ...['--model', 'models/demo/paramscope-demo.gguf', '--pairs', join(dir, 'pairs.tsv')],
      ...['--max-tokens', String(MAX_TOKENS), '--out', out],
    ]);
    const cli = JSON.parse(readFileSync(out, 'utf8')) as StsDocument;
    expect(doc.window).toEqual(cli.window);
    expect(doc.settings.sentences).toBe(5);
    const tol = { rel: 1e-4, abs: 1e-6 };
    const c = compareArrays(
      doc.pairs.flatMap((p) => p.llmdcos),
      cli.pairs.flatMap((p) => p.llmdcos),
      tol,
    );
    expect(c.ok, describeComparison('llmdcos', c)).toBe(true);
    const b = compareArrays(doc.baseline.cosine, cli.baseline.cosine, tol);
    expect(b.ok, describeComparison('baseline cosine', b)).toBe(true);
    expect(doc.spearman).toBeCloseTo(cli.spearman!, 6);
    expect(doc.spearmanPerLayer.map((x) => x?.toFixed(4))).toEqual(
      cli.spearmanPerLayer.map((x) => x?.toFixed(4)),
    );

    // drawn: one bar per layer at its ρ, one point per pair at its gold and score
    const bars = await page
      .locator('[data-chart="sts-rho-per-layer"] rect.layer')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(bars).toEqual(doc.spearmanPerLayer);
    const pts = await page
      .locator('[data-chart="sts-scatter"] circle')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-score'))));
    expect(pts).toEqual(doc.pairs.map((p) => p.pairScore));
    const table = page.locator('[data-field="sts-summary"] tr[data-metric="grad_x_weight"]');
    expect(await table.innerText()).toContain(doc.spearman!.toFixed(3));

    // hover shows both sentences
    const area = page.locator('[data-chart="sts-scatter"] rect.hover-area');
    await area.scrollIntoViewIfNeeded();
    const dot = (await page
      .locator('[data-chart="sts-scatter"] circle[data-i="1"]')
      .boundingBox())!;
    const at = (await area.boundingBox())!;
    await area.hover({
      position: { x: dot.x + dot.width / 2 - at.x, y: dot.y + dot.height / 2 - at.y },
    });
    const tip = await page.locator('[data-field="sts-tip"]').innerText({ timeout: 10_000 });
    expect(tip).toContain('A: ');
    expect(tip).toContain('B: ');
    await page.screenshot({ path: artifactPath('sts-lab.png'), fullPage: true });
    await expectAccessible(page, 'the STS lab with its charts');
  });

  it('moving the window recomputes ρ without GPU work; the default comes back', async () => {
    const [before] = await docs();
    await page.locator('[data-field="window-a"]').fill('1');
    await page.locator('[data-field="window-a"]').dispatchEvent('change');
    await expect.poll(async () => (await docs())[0].window[0]).toBe(1);
    const [after] = await docs();
    expect(await page.locator('[data-field="sts-progress"]').count()).toBe(0);
    expect(after.pairs.map((p) => p.llmdcos)).toEqual(before.pairs.map((p) => p.llmdcos));
    const [a, b] = after.window;
    after.pairs.forEach((p) =>
      expect(p.pairScore).toBeCloseTo(
        p.llmdcos.slice(a, b + 1).reduce((s, x) => s + x, 0),
        12,
      ),
    );
    await page.locator('[data-action="default-window"]').click();
    await expect.poll(async () => (await docs())[0].window).toEqual(before.window);
    // a reload brings the lab back as it was: pairs, the run, its numbers
    await page.reload();
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    await expect.poll(async () => (await docs()).length).toBe(1);
    const [back] = await docs();
    expect(back.pairs.map((p) => p.llmdcos)).toEqual(before.pairs.map((p) => p.llmdcos));
    expect(back.spearman).toBe(before.spearman);
    expect(await page.locator('[data-field="pairs-info"]').innerText()).toMatch(/pairs\.tsv: 4/);
    expect(await page.locator('[data-chart="sts-scatter"] circle').count()).toBe(4);
  });

  it('a bad pairs file is refused by name and the loaded pairs stay; the example loads', async () => {
    await dropFile('bad.tsv', 'sentence1\tsentence2\tscore\na\tb\tvery\nc\td\t1\ne\tf\t2\n');
    const err = await page.locator('[data-field="sts-error"]').innerText();
    expect(err).toMatch(/^bad\.tsv: .*score/);
    expect(err).toContain('pairs.tsv stays loaded');
    expect(await page.locator('[data-field="pairs-info"]').innerText()).toMatch(/pairs\.tsv/);
    expect(await docs()).toHaveLength(1);
    // a file too large to be a pairs file is refused before it is read
    await dropFile('huge.tsv', '', 65 << 20);
    await expect
      .poll(() => page.locator('[data-field="sts-error"]').innerText())
      .toMatch(/^huge\.tsv: is 65\.0 MiB; pairs files up to 64 MiB are read/);
    expect(await docs()).toHaveLength(1);
    await page.locator('[data-action="example-pairs"]').click();
    await expect
      .poll(() => page.locator('[data-field="pairs-info"]').innerText())
      .toMatch(/sts-domains\.tsv: 60 pairs/);
  });
});
