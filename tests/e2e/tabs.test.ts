// Two tabs of the app in one browser profile: the first owns the saved session (Web Locks), the
// second shows it, says so and saves nothing — its edits never reach the first tab's session; and
// `?safe` opens without restoring, the last session kept in the cache as its own entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { artifactPath, launchBrowser, serveApp } from '../helpers/browser';

let server: PreviewServer;
let url: string;
let browser: Browser;
let ctx: BrowserContext;

beforeAll(async () => {
  ({ server, url } = await serveApp());
  browser = await launchBrowser({ webgpu: true });
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sets = (page: import('playwright-core').Page) =>
  page.locator('[data-set]').evaluateAll((els) => els.map((e) => e.getAttribute('data-set')));

describe('tabs and safe mode', () => {
  it('a second tab shows the session, says so, and saves nothing', async () => {
    const a = await ctx.newPage();
    await a.goto(url);
    await a.locator('[data-action="load-examples"]').click();
    await a.locator('[data-set="bible"]').waitFor();
    // the example sets come in one by one: wait until their list stops growing
    let mine: (string | null)[] = [];
    for (let last = -1; mine.length !== last; await a.waitForTimeout(700)) {
      last = mine.length;
      mine = await sets(a);
    }
    expect(mine.length).toBeGreaterThan(1);
    await a.waitForTimeout(1500); // the autosave (500 ms after an edit)

    const b = await ctx.newPage();
    await b.goto(url);
    await b
      .locator('[data-field="notice"]')
      .filter({ hasText: 'ParamScope is open in another tab' })
      .waitFor();
    await b.locator('[data-set="bible"]').waitFor();
    expect(await sets(b)).toEqual(mine);
    // an edit in the second tab is not saved
    await b.locator('[data-set="bible"] [data-action="remove-set"]').click();
    expect(await sets(b)).not.toContain('bible');
    await b.waitForTimeout(1500);
    await b.screenshot({ path: artifactPath('tabs-second.png') });
    await b.close();

    // the owner's session, reopened, is its own
    await a.reload();
    await a.locator('[data-set="bible"]').waitFor();
    expect(await sets(a)).toEqual(mine);
    await a.close();
  }, 240_000);

  it('?safe opens without restoring and keeps the session as a cache entry', async () => {
    const p = await ctx.newPage();
    await p.goto(`${url}?safe`);
    await p
      .locator('[data-field="notice"]')
      .filter({ hasText: 'your last session was not opened (opened in safe mode' })
      .waitFor();
    expect(await sets(p)).toEqual([]);
    await p
      .locator('[data-region="cache"]')
      .getByText(/set-aside session/)
      .waitFor();
    await p.close();
  }, 120_000);
});
