// Our reference model against llama.cpp itself (node-llama-cpp's CPU build, the same GGUF bytes,
// the same token ids): the last-position logits agree within summation order once our products'
// inputs are rounded as llama.cpp rounds them (tests/helpers/llamacpp-rounding.ts), for every
// tensor type we read and every architecture feature we claim; the argmax agrees. The measured
// differences are written to test-artifacts/llamacpp-reference.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeFixtureModel } from '../../src/model/fixture';
import { readGguf, type GgufFile } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaForward } from '../../src/reference/llama';
import { llamaCppLogits, llamaCppTokens, logitDiff } from '../helpers/llamacpp';
import { fixtureBytes, fixtureFile } from '../helpers/fixtures';
import { tokenizerFromGguf } from '../../src/tokenizer';
import { llamaCppRounding } from '../helpers/llamacpp-rounding';
import { LLAMACPP_CASES, llamaCppSequences, llamaCppTolerance } from '../helpers/llamacpp-cases';
import { pruneModel } from '../../src/prune/prune';
import { prunedGguf } from '../../src/prune/export';

const argmax = (x: ArrayLike<number>) => {
  let best = 0;
  for (let v = 1; v < x.length; v++) if (x[v] > x[best]) best = v;
  return best;
};

const typesOf = (f: GgufFile) => [...new Set([...f.tensors.values()].map((t) => t.type))];

const measured: Record<string, { rounded: number; exact: number; tolerance: number }> = {};

describe('the reference against llama.cpp', { timeout: 120_000 }, () => {
  afterAll(() => {
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/llamacpp-reference.json', JSON.stringify(measured, null, 1));
  });

  for (const c of LLAMACPP_CASES) {
    it(c.name, async () => {
      const bytes = makeFixtureModel(c.model);
      const file = await readGguf(bytesSource(bytes, `${c.name}.gguf`));
      const exact = await loadLlamaWeights(file);
      const rounded = { ...exact, roundInput: llamaCppRounding(file) };
      const sequences = llamaCppSequences(exact.config.vocabSize);
      const cpp = await llamaCppLogits(bytes, sequences);
      const tol = llamaCppTolerance(typesOf(file));
      const m = { rounded: 0, exact: 0, tolerance: tol };
      sequences.forEach((tokens, i) => {
        expect(cpp[i].length).toBe(exact.config.vocabSize);
        const r = llamaForward(rounded, tokens).logits;
        const d = logitDiff(r, cpp[i]);
        m.rounded = Math.max(m.rounded, d.diff / d.scale);
        m.exact = Math.max(
          m.exact,
          logitDiff(llamaForward(exact, tokens).logits, cpp[i]).diff / d.scale,
        );
        expect(
          d.diff,
          `T = ${tokens.length}: max |Δ logit| ${d.diff} (max |logit| ${d.scale})`,
        ).toBeLessThanOrEqual(tol * d.scale);
        expect(argmax(r)).toBe(argmax(cpp[i]));
      });
      measured[c.name] = m;
    });
  }

  it.each([
    ['a Q4_K model (its matrices re-encoded as F16)', FIXTURES.q4_k],
    ['a Qwen2 model (q, k rows written back in NeoX order)', FIXTURES.qwen2],
    ['a Phi-3 model (q, k, v and gate, up written back into attn_qkv, ffn_up)', FIXTURES.phi3],
  ])('%s pruned to half as the lab exports it', async (_, model) => {
    const dense = await readGguf(bytesSource(makeFixtureModel(model), 'dense.gguf'));
    const w = await loadLlamaWeights(dense);
    const L = w.config.blockCount;
    const { tensors } = await pruneModel(dense, w, {
      method: 'magnitude',
      sparsity: new Array(L).fill(0.5),
      seed: 0,
    });
    const bytes = await prunedGguf(dense, tensors, {
      method: 'magnitude',
      sparsity: 0.5,
      allocation: 'uniform',
      layerSparsity: new Array(L).fill(0.5),
    });
    const file = await readGguf(bytesSource(bytes, 'pruned.gguf'));
    const ours = { ...(await loadLlamaWeights(file)), roundInput: llamaCppRounding(file) };
    const sequences = llamaCppSequences(ours.config.vocabSize);
    const cpp = await llamaCppLogits(bytes, sequences);
    const tol = llamaCppTolerance(typesOf(file));
    sequences.forEach((tokens, i) => {
      const r = llamaForward(ours, tokens).logits;
      const d = logitDiff(r, cpp[i]);
      expect(d.diff, `T = ${tokens.length}`).toBeLessThanOrEqual(tol * d.scale);
      expect(argmax(r)).toBe(argmax(cpp[i]));
    });
  });
});

describe('tokenizers against llama.cpp', { timeout: 120_000 }, () => {
  const TEXTS = [
    "The 12345 apples, and 3.14!\n\nit's THE end",
    'café – naïve 日本語 😀',
    '  a\tb   \n c  ',
    "We've seen it: they'll go, I'D say.",
    'of the and in to that is 1212',
  ];
  for (const name of ['qwen2', 'f32'] as const) {
    it(`${name === 'qwen2' ? 'byte-level BPE, Qwen2 pre-tokenizer' : 'SentencePiece (llama)'}: the same ids`, async () => {
      const bytes = fixtureBytes(name);
      const ours = tokenizerFromGguf(await fixtureFile(name));
      const theirs = await llamaCppTokens(bytes, TEXTS);
      TEXTS.forEach((t, i) => expect(ours.encode(t), JSON.stringify(t)).toEqual(theirs[i]));
      // the texts exercise the merges, not only single bytes
      expect(theirs.flat().some((id) => id > 258)).toBe(true);
    });
  }
});
