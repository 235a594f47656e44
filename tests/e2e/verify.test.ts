// The "Verify engine" panel in Chromium: the page's WGSL forward against onnxruntime-web (WASM,
// served from the app itself) on the demo model, ≤ 1e-3 in max |Δ logit|, and no request off
// the machine while ORT loads; then a Qwen2 and a Phi-3 file dropped, named and verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactPath, dropFiles, isLocal, openApp, openSystem } from '../helpers/browser';
import { fixtureBytes, fixtureFile } from '../helpers/fixtures';
import { demoFile } from '../helpers/demo';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaForward } from '../../src/reference/llama';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import type { Verification } from '../../src/onnx/verify';

let app: Awaited<ReturnType<typeof openApp>>;
let url: string;
let page: Page;
let requests: string[];

beforeAll(async () => {
  app = await openApp();
  ({ url, page, requests } = app);
});
afterAll(() => app?.close());

/** Verify engine on `text` in the System panel: ORT and our forward agree within 1e-3. */
async function verifyOnPage(text: string): Promise<Verification> {
  await openSystem(page);
  await page.locator('[data-field="verify-text"]').fill(text);
  await page.locator('[data-action="verify"]').click();
  await page.locator('[data-region="verify"][data-status="done"]').waitFor({ timeout: 240_000 });
  const v = (await page.evaluate(
    () =>
      (globalThis as unknown as { paramscope: { verification: unknown } }).paramscope.verification,
  )) as Verification;
  expect(v.ok).toBe(true);
  expect(v.maxAbsDiff).toBeLessThanOrEqual(1e-3);
  return v;
}

describe('Verify engine panel', () => {
  it('compares the WGSL forward with onnxruntime-web on the demo model', async () => {
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    const text = 'The quick brown fox jumps over the lazy dog.';
    const v = await verifyOnPage(text);
    expect(await page.locator('[data-field="verify-result"]').getAttribute('data-ok')).toBe('true');
    // the page ran the tokens our tokenizer gives, and its argmax is the reference's
    const file = await demoFile();
    const tokens = sampleTokens({ source: 'x', text }, tokenizerFromGguf(file), 256);
    expect(v.tokens).toBe(tokens.length);
    const ref = llamaForward(await loadLlamaWeights(file), tokens);
    expect(v.argmaxOurs).toBe(ref.argmax);
    expect(v.argmaxOrt).toBe(ref.argmax);
    await page
      .locator('[data-region="verify"]')
      .screenshot({ path: artifactPath('verify-panel.png') });
    expect(requests.filter((r) => !isLocal(r, url))).toEqual([]);
    expect(requests.some((r) => r.endsWith('.wasm'))).toBe(true);
  }, 300_000);

  it('a Qwen2 and a Phi-3 file dropped on the page: named, their layout said, Qwen2 verified', async () => {
    await dropFiles(page, 'main', [{ name: 'phi3.gguf', bytes: fixtureBytes('phi3') }]);
    await expect
      .poll(() => page.locator('[data-field="model-name"]').innerText(), { timeout: 60_000 })
      .toBe('fixture');
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-region="model"]').innerText()).toContain('Phi-3 · 2 layers');
    expect(await page.locator('[data-field="layout-note"]').innerText()).toMatch(
      /^Phi-3: attn_qkv is scored as q, k, v and ffn_up as gate, up/,
    );
    await dropFiles(page, 'main', [{ name: 'qwen2.gguf', bytes: fixtureBytes('qwen2') }]);
    await expect
      .poll(() => page.locator('[data-region="model"]').innerText(), { timeout: 60_000 })
      .toContain('Qwen2 · 2 layers');
    await page.locator('[data-region="model"][data-status="ready"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-field="layout-note"]').innerText()).toMatch(
      /^Qwen2: q, k, v biases are added in the forward/,
    );
    await page
      .locator('[data-region="model"]')
      .screenshot({ path: artifactPath('model-card-qwen2.png') });
    const text = "It's 2024: the 12 apples.";
    const v = await verifyOnPage(text);
    // the page's byte-level BPE gave the tokens ours gives (no BOS for Qwen2), argmax the reference's
    const file = await fixtureFile('qwen2');
    const tokens = sampleTokens({ source: 'x', text }, tokenizerFromGguf(file), 256);
    expect(v.tokens).toBe(tokens.length);
    expect(v.argmaxOurs).toBe(llamaForward(await loadLlamaWeights(file), tokens).argmax);
    expect(requests.filter((r) => !isLocal(r, url))).toEqual([]);
  }, 300_000);
});
