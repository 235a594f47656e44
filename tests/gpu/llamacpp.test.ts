// The GPU engine against llama.cpp itself: the WGSL forward's last-position logits for the same
// GGUF bytes and token ids are within llama.cpp's own error of llama.cpp's — the difference
// between llama.cpp and our exact reference, measured here on the same inputs (llama.cpp rounds
// its products' inputs to the weight's type; we compute in f32) — plus the GPU's f32 parity bar;
// the argmax agrees wherever the top two logits are further apart than that. The measured
// differences are written to test-artifacts/llamacpp-gpu.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { llamaCppLogits, logitDiff } from '../helpers/llamacpp';
import { LLAMACPP_CASES, llamaCppSequences } from '../helpers/llamacpp-cases';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { makeFixtureModel } from '../../src/model/fixture';
import { readGguf } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaForward } from '../../src/reference/llama';
import { uploadLlama } from '../../src/gpu/model';
import { gpuForwardLogits } from '../../src/engine/run-gpu';

/** The GPU's f32 bar against the exact reference, per unit of max(1, |logit|). */
const GPU_PARITY = 1e-4;

const top2 = (x: ArrayLike<number>) => {
  let a = 0;
  let b = -1;
  for (let v = 1; v < x.length; v++) {
    if (x[v] > x[a]) [a, b] = [v, a];
    else if (b < 0 || x[v] > x[b]) b = v;
  }
  return { best: a, gap: x[a] - x[b] };
};

const measured: Record<string, { gpu: number; llamaCppOwn: number; gpuVsReference: number }> = {};

describe('the GPU engine against llama.cpp', { timeout: 240_000 }, () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => {
    ctx?.device.destroy();
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/llamacpp-gpu.json', JSON.stringify(measured, null, 1));
  });

  for (const c of LLAMACPP_CASES) {
    it(c.name, async () => {
      const bytes = makeFixtureModel(c.model);
      const file = await readGguf(bytesSource(bytes, `${c.name}.gguf`));
      const w = await loadLlamaWeights(file);
      const sequences = llamaCppSequences(w.config.vocabSize);
      const cpp = await llamaCppLogits(bytes, sequences);
      const model = await uploadLlama(ctx, file);
      const m = { gpu: 0, llamaCppOwn: 0, gpuVsReference: 0 };
      try {
        for (const [i, tokens] of sequences.entries()) {
          const gpu = await gpuForwardLogits(ctx, model, tokens);
          const ref = llamaForward(w, tokens).logits;
          const own = logitDiff(ref, cpp[i]);
          const d = logitDiff(gpu, cpp[i]);
          const p = logitDiff(gpu, ref);
          const bar = own.diff + GPU_PARITY * own.scale;
          m.gpu = Math.max(m.gpu, d.diff / d.scale);
          m.llamaCppOwn = Math.max(m.llamaCppOwn, own.diff / own.scale);
          m.gpuVsReference = Math.max(m.gpuVsReference, p.diff / p.scale);
          expect(p.diff, `T = ${tokens.length}: GPU vs reference`).toBeLessThanOrEqual(
            GPU_PARITY * p.scale,
          );
          expect(d.diff, `T = ${tokens.length}: GPU vs llama.cpp`).toBeLessThanOrEqual(bar);
          const want = top2(cpp[i]);
          if (want.gap > 2 * bar) expect(top2(gpu).best).toBe(want.best);
        }
      } finally {
        model.destroy();
      }
      measured[c.name] = m;
    });
  }
});
