// Sets and sessions in Chromium, no GPU run needed: rename, colour, leave out of the run, drop
// files onto a set, paste text, sample text shown as text (never HTML); import a CLI results
// file and see its charts; export a session and import it into a fresh page.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { artifactPath, downloadOf, dropFiles, launchBrowser, serveApp } from '../helpers/browser';
import type { Results } from '../../src/analysis/results';
import { densitySeries } from '../../src/analysis/views';

let server: PreviewServer;
let url: string;
let browser: Browser;
let page: Page;
const EXAMPLE = 'docs/examples/results-f32-fixture.json';

beforeAll(async () => {
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await page.goto(url);
  await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('sample sets', () => {
  it('adds, renames, recolours, leaves out and removes sets; text stays text', async () => {
    await page.locator('[data-action="load-examples"]').click();
    await page.locator('[data-set="code"]').waitFor();
    const name = page.locator('[data-set="jargon"] [data-field="set-name"]');
    await name.fill('computing');
    await name.press('Enter');
    await page.locator('[data-set="computing"]').waitFor();
    // a duplicate name is refused with a message, the set keeps its name
    const dup = page.locator('[data-set="computing"] [data-field="set-name"]');
    await dup.fill('bible');
    await dup.press('Enter');
    expect(await page.locator('[data-field="sets-error"]').innerText()).toMatch(/exists already/);
    expect(await page.locator('[data-set="computing"]').count()).toBe(1);
    await page
      .locator('[data-set="code"] [data-field="set-color"]')
      .evaluate((el: HTMLInputElement) => {
        el.value = '#123456';
        el.dispatchEvent(new Event('change', { bubbles: true }));
      });
    expect(await page.locator('[data-set="code"] [data-field="set-color"]').inputValue()).toBe(
      '#123456',
    );
    // left out of the run: the pairing offers the remaining sets only
    await page.locator('[data-set="bible"] [data-field="set-run"]').uncheck();
    expect(await page.locator('[data-field="pair-a"]').inputValue()).toBe('quotes');
    // removing a set says so with an Undo that puts it back in its place; the notice expires
    const names = () =>
      page.locator('[data-set]').evaluateAll((r) => r.map((e) => e.getAttribute('data-set')));
    const before = await names();
    await page.locator('[data-set="dictionary"] [data-action="remove-set"]').click();
    expect(await page.locator('[data-set]').count()).toBe(4);
    expect(await page.locator('[data-field="notice"]').innerText()).toMatch(
      /^Removed set “dictionary” \(\d+ samples\)\./,
    );
    await page.locator('[data-field="notice"] [data-action="undo"]').click();
    expect(await names()).toEqual(before);
    await page.locator('[data-set="dictionary"] [data-action="remove-set"]').click();
    expect(await page.locator('[data-set]').count()).toBe(4);
    await page.locator('[data-field="notice"]').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('takes files dropped onto a set and pasted text; HTML in samples is shown as text', async () => {
    const html = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await dropFiles(page, '[data-set="quotes"]', [
      { name: 'more.txt', bytes: `First dropped sample.\n\n${html}` },
    ]);
    await expect.poll(() => page.locator('[data-set="quotes"] td').nth(3).innerText()).toBe('26');
    await page.locator('[data-set="quotes"] [data-action="samples"]').click();
    // the list draws the rows in its window: scrolled to its end, the dropped sample is there
    await page
      .locator('[data-field="sample-list"]')
      .evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('tr.samples li[data-index="25"]').waitFor();
    const last = page.locator('tr.samples li').last();
    expect(await last.locator('.text').innerText()).toBe(html);
    expect(await page.locator('tr.samples img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    // a sample is readable in full: a click on its text unfolds it (the first, a long one)
    const list = page.locator('[data-field="sample-list"]');
    await list.evaluate((el) => (el.scrollTop = 0));
    const first = page.locator('tr.samples li[data-index="0"] .text');
    const h0 = (await first.boundingBox())!.height;
    await first.click();
    expect(await first.getAttribute('aria-expanded')).toBe('true');
    expect((await first.boundingBox())!.height).toBeGreaterThan(h0 * 1.5);
    await first.click();
    expect(await first.getAttribute('aria-expanded')).toBe('false');
    // a removed sample comes back, in its place, with Undo
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('tr.samples li[data-index="25"]').waitFor();
    await last.locator('button[aria-label^="Remove sample"]').click();
    await expect.poll(() => page.locator('[data-set="quotes"] td').nth(3).innerText()).toBe('25');
    await page.locator('[data-field="notice"] [data-action="undo"]').click();
    await expect.poll(() => page.locator('[data-set="quotes"] td').nth(3).innerText()).toBe('26');
    expect(await page.locator('tr.samples li').last().locator('.text').innerText()).toBe(html);
    await page.locator('summary', { hasText: 'Paste text' }).click();
    await page.locator('[data-field="paste-set"]').fill('notes');
    await page.locator('[data-field="paste-text"]').fill('One pasted sample.\n\nAnother one.');
    await page.locator('[data-action="paste"]').click();
    await page.locator('[data-set="notes"]').waitFor();
    expect(await page.locator('[data-set="notes"] td').nth(3).innerText()).toBe('2');
    await page.screenshot({ path: artifactPath('sets-edited.png'), fullPage: true });
  });

  it('keeps every edit over a reload, with no run in between', async () => {
    const names = () =>
      page.locator('[data-set]').evaluateAll((els) => els.map((e) => e.getAttribute('data-set')));
    const before = await names();
    expect(before).toContain('computing');
    expect(before).toContain('notes');
    // the save follows an edit by half a second
    await page.waitForTimeout(1500);
    await page.reload();
    await page.locator('[data-set="notes"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect(await names()).toEqual(before);
    expect(await page.locator('[data-set="code"] [data-field="set-color"]').inputValue()).toBe(
      '#123456',
    );
    expect(await page.locator('[data-set="bible"] [data-field="set-run"]').isChecked()).toBe(false);
    expect(await page.locator('[data-set="notes"] td').nth(3).innerText()).toBe('2');
  });

  it('lists a set of 10,000 samples in a window: only the rows in view are in the page', async () => {
    const N = 10_000;
    const text = Array.from({ length: N }, (_, i) => `Sample number ${i + 1}.`).join('\n\n');
    // a file of 10,000 paragraphs dropped on the page: a new set (0.8 s here)
    await dropFiles(page, 'main', [{ name: 'many.txt', bytes: text }]);
    await page.locator('[data-set="many"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-set="many"] td').nth(3).innerText()).toBe('10000');
    await page.locator('[data-set="many"] [data-action="samples"]').click();
    const list = page.locator('[data-field="sample-list"]');
    const rendered = () => page.locator('[data-field="sample-list"] li').count();
    // a window of 240 px at 24 px a row, 10 spare rows either side: at most 30 rows of 10,000
    expect(await rendered()).toBeLessThanOrEqual(30);
    expect(await list.locator('li').first().locator('.text').innerText()).toBe('Sample number 1.');
    // the spacers stand for the rest: the list scrolls through all of them
    expect(await list.evaluate((el) => el.scrollHeight)).toBeGreaterThan(N * 24 - 1);
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    // (polled up to 15 s: with two test files running at once the redraw after a scroll took
    // over the default second once on a 2-core machine)
    await expect
      .poll(() => list.locator('li').last().locator('.text').innerText(), { timeout: 15_000 })
      .toBe(`Sample number ${N}.`);
    expect(await rendered()).toBeLessThanOrEqual(30);
    // half-way: the rows there, numbered as they are
    await list.evaluate((el) => (el.scrollTop = 24 * 5000));
    await expect
      .poll(() => list.locator('li[data-index="5000"] .text').innerText(), { timeout: 15_000 })
      .toBe('Sample number 5001.');
    // unfolded, a sample keeps its place and the rows after it follow
    await list.locator('li[data-index="5001"] .text').click();
    expect(await list.locator('li[data-index="5001"] .text').getAttribute('aria-expanded')).toBe(
      'true',
    );
    expect(await list.locator('li[data-index="5002"] .text').innerText()).toBe(
      'Sample number 5003.',
    );
    await page.locator('[data-set="many"] [data-action="remove-set"]').click();
    await expect.poll(() => page.locator('[data-set="many"]').count()).toBe(0);
  });

  it('names the file and the problem for a bad sample file', async () => {
    await dropFiles(page, '[data-set="notes"]', [{ name: 'bad.jsonl', bytes: '{"text": 1}\n' }]);
    await page.locator('[data-field="sets-error"]').waitFor();
    expect(await page.locator('[data-field="sets-error"]').innerText()).toMatch(/^bad\.jsonl/);
    expect(await page.locator('[data-set="notes"] td').nth(3).innerText()).toBe('2');
  });

  it('shows a 5,000-character name with bidi controls isolated, cut short, whole in its title', async () => {
    // a right-to-left override would reverse the text that follows the name, were it not isolated
    const name = `\u202Eevil${'x'.repeat(5000)}`;
    const sets = await page.locator('[data-set]').count();
    await dropFiles(page, 'main', [{ name: `${name}.txt`, bytes: 'One sample.' }]);
    await expect.poll(() => page.locator('[data-set]').count()).toBe(sets + 1);
    // nothing widens the 1280-px page: set list, notices, the pairing and view menus
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
    // every place the name is shown as text: in a <bdi> (title: the whole name), in menus between
    // the isolating marks U+2068 … U+2069, in notices with its marks escaped (\u202e); never the
    // whole 5,000 characters
    const shown = await page.evaluate(() => {
      const out: { tag: string; isolated: boolean; length: number; title: string | null }[] = [];
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        const t = n.textContent ?? '';
        if (!t.includes('evilxxx')) continue;
        const el = n.parentElement!;
        const bdi = el.closest('bdi');
        out.push({
          tag: el.tagName,
          isolated: !!bdi || /\u2068\u202Eevil/.test(t) || !t.includes('\u202E'),
          length: t.length,
          title: bdi?.getAttribute('title') ?? el.getAttribute('title'),
        });
      }
      return out;
    });
    expect(shown.length).toBeGreaterThan(0);
    for (const s of shown) {
      expect(s, JSON.stringify(s)).toMatchObject({ isolated: true });
      expect(s.length, s.tag).toBeLessThan(200);
      if (s.tag === 'BDI') expect(s.title).toBe(name);
    }
    await page.screenshot({ path: artifactPath('sets-long-name.png') });
    await page.locator('[data-set]').last().locator('[data-action="remove-set"]').click();
    await expect.poll(() => page.locator('[data-set]').count()).toBe(sets);
  });
});

describe('memory estimate', () => {
  it('refuses, with the numbers, a run above the GPU memory the user says there is', async () => {
    expect(await page.locator('[data-field="memory"]').getAttribute('data-fits')).toBe('true');
    await page.locator('[data-field="gpu-budget"]').fill('0.001');
    await page.locator('[data-field="memory-refusal"]').waitFor();
    expect(await page.locator('[data-field="memory-refusal"]').innerText()).toMatch(
      /cannot fit: .* GiB exceeds the 0\.001 GiB of GPU memory you set/,
    );
    expect(await page.locator('[data-action="run"]').isDisabled()).toBe(true);
    await page.locator('[data-field="gpu-budget"]').fill('0');
    expect(await page.locator('[data-field="memory-refusal"]').count()).toBe(0);
    expect(await page.locator('[data-action="run"]').isDisabled()).toBe(false);
  });
});

describe('precision', () => {
  it('offers f16 only where the adapter has shader-f16, and says why not here', async () => {
    const f16 = page.locator('[data-field="precision"] option[value="f16"]');
    // SwiftShader has no shader-f16: f32 stays chosen, f16 is offered disabled with the reason
    expect(await page.locator('[data-field="precision"]').inputValue()).toBe('f32');
    expect(await f16.isDisabled()).toBe(true);
    expect(await page.locator('[data-field="precision-note"]').innerText()).toMatch(
      /f16 needs shader-f16, which this adapter lacks · fastest here: f32 \(this adapter has no shader-f16\)/,
    );
  });
});

describe('session files', () => {
  it('imports a CLI results.json and draws its charts', async () => {
    await page.locator('[data-field="import-file"]').setInputFiles(EXAMPLE);
    await page.locator('[data-field="import-note"]').waitFor();
    const r = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Results;
    const drawn = await page
      .locator('[data-chart="density"] [data-series="A"] circle')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(drawn).toEqual(densitySeries(r, 0)[0].values);
    expect(await page.locator('[data-chart="boxplot"] [data-box]').count()).toBe(
      r.model.config.blockCount,
    );
    await page.screenshot({ path: artifactPath('session-imported-results.png'), fullPage: true });
  });

  it('refuses a file that is neither, by name', async () => {
    await page.locator('[data-field="import-file"]').setInputFiles({
      name: 'other.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"schema": "something/else"}'),
    });
    expect(await page.locator('[data-field="import-error"]').innerText()).toMatch(
      /^other\.json: unknown document/,
    );
  });

  it('exports the session and a fresh page imports it whole', async () => {
    const file = await downloadOf(page, '[data-action="export-session"]');
    const doc = JSON.parse(file.bytes.toString('utf8'));
    expect(doc.schema).toBe('paramscope.session/1');
    expect(doc.settings.precision).toBe('f32');
    expect(doc.sets.map((s: { name: string }) => s.name)).toEqual([
      'bible',
      'quotes',
      'computing',
      'code',
      'notes',
    ]);
    const fresh = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await fresh.goto(url);
    await fresh.locator('[data-field="import-file"]').setInputFiles({
      name: 'paramscope-session.json',
      mimeType: 'application/json',
      buffer: file.bytes,
    });
    await fresh.locator('[data-set="notes"]').waitFor();
    expect(await fresh.locator('[data-set="code"] [data-field="set-color"]').inputValue()).toBe(
      '#123456',
    );
    expect(await fresh.locator('[data-set="bible"] [data-field="set-run"]').isChecked()).toBe(
      false,
    );
    expect(await fresh.locator('[data-chart="density"] [data-series="A"] circle').count()).toBe(3);
    await fresh.close();
  });
});
