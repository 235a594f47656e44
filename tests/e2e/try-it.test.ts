// "Try it" on a first open, as a new user meets the app: one click loads the example sets, runs a
// small demo job on the page's GPU and lands on the density view, with LLMDcos drawn below it;
// screenshots of the first open and the result at 1280 × 800 and 1920 × 1080.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactPath, isLocal, openApp } from '../helpers/browser';
import { expectAccessible } from '../helpers/axe';

let app: Awaited<ReturnType<typeof openApp>>;
let url: string;
let page: Page;
let requests: string[];

beforeAll(async () => {
  app = await openApp();
  ({ url, page, requests } = app);
});
afterAll(() => app?.close());

describe('Try it', () => {
  it('runs the demo job in one click and lands on density and LLMDcos', async () => {
    const tryIt = page.locator('[data-action="try-it"]');
    await tryIt.waitFor({ timeout: 120_000 });
    await page.screenshot({ path: artifactPath('first-open-1280x800.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifactPath('first-open-1920x1080.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await tryIt.click();
    await page.locator('[data-field="run-note"]').waitFor({ timeout: 400_000 });
    expect(await page.locator('[data-field="run-note"]').innerText()).toMatch(
      /^Done: 2 set\(s\) and 1 pair\(s\) computed/,
    );
    await page.locator('[data-chart="boxplot"] [data-box]').first().waitFor();
    const r = (await page.evaluate(
      () => (globalThis as unknown as { paramscope: { results: unknown } }).paramscope.results,
    )) as { sets: { name: string; samples: { tokens: number }[] }[]; pairs: unknown[] };
    expect(r.sets.map((s) => s.name)).toEqual(['bible', 'code']);
    for (const s of r.sets) {
      expect(s.samples).toHaveLength(3);
      for (const x of s.samples) expect(x.tokens).toBeLessThanOrEqual(24);
    }
    expect(r.pairs).toHaveLength(1);
    // landed on the density view: it is in the window, drawn at γ from the data
    await expect
      .poll(() =>
        page.locator('[data-chart="density"]').evaluate((el) => el.getBoundingClientRect().top),
      )
      .toBeLessThan(800);
    expect(await page.locator('[data-chart="density"] [data-series="bible"] circle').count()).toBe(
      8,
    );
    expect(await page.locator('[data-field="gamma-source"]').innerText()).toMatch(/^from the data/);
    await page.screenshot({ path: artifactPath('try-it-1280x800.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: artifactPath('try-it-1920x1080.png') });
    await page.setViewportSize({ width: 1280, height: 800 });
    await expectAccessible(page, 'after Try it');
    expect(requests.filter((u) => !isLocal(u, new URL(url).origin))).toEqual([]);
  }, 420_000);
});
