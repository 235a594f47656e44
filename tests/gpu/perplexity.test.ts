// Perplexity (src/engine/perplexity.ts): the GPU equals the reference backend (1e-4) and both an
// independent f64 log-softmax over the full vocabulary, with the head in one chunk and in chunks
// of 2 rows; sequences that predict nothing are refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { gpuPerplexity, referencePerplexity } from '../../src/engine/perplexity';
import { llamaForward } from '../../src/reference/llama';
import { weightsToF64 } from '../../src/model/weights';

const SAMPLES = [
  { source: 'a', tokens: [1, 17, 200, 5, 91, 300, 8] },
  { source: 'b', tokens: [1, 44] },
  { source: 'c', tokens: [1, 3, 3, 3, 250, 12, 77, 140, 9, 10, 11] },
];

describe('perplexity', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  it.each(['f32', 'q8_0'] as const)('%s: GPU = reference = f64 log-softmax', async (name) => {
    const w = await fixtureWeights(name);
    const ref = referencePerplexity(w, SAMPLES);
    // independent: f64 forward, final norm and head, log-sum-exp in f64
    const w64 = weightsToF64(w);
    const c = w.config;
    let nll = 0;
    for (const s of SAMPLES) {
      const x = llamaForward(w64, s.tokens).layers[c.blockCount - 1].out;
      const C = c.embeddingLength;
      for (let t = 0; t + 1 < s.tokens.length; t++) {
        let ss = 0;
        for (let k = 0; k < C; k++) ss += x[t * C + k] ** 2;
        const r = 1 / Math.sqrt(ss / C + c.rmsEps);
        const logits = Array.from({ length: c.vocabSize }, (_, v) => {
          let z = 0;
          for (let k = 0; k < C; k++)
            z += x[t * C + k] * r * w64.outputNorm[k] * w64.output[v * C + k];
          return z;
        });
        const m = Math.max(...logits);
        const lse = Math.log(logits.reduce((a, z) => a + Math.exp(z - m), 0)) + m;
        nll += lse - logits[s.tokens[t + 1]];
      }
    }
    expect(ref.tokens).toBe(6 + 1 + 10);
    expect(Math.abs(ref.nll - nll) / nll).toBeLessThan(1e-5);
    const model = await uploadLlama(ctx, await fixtureFile(name));
    try {
      for (const chunkRows of [undefined, 2]) {
        const gpu = await gpuPerplexity(ctx, model, SAMPLES, { chunkRows });
        expect(gpu.tokens).toBe(ref.tokens);
        gpu.perSample.forEach((s, i) =>
          expect(Math.abs(s.nll - ref.perSample[i].nll) / ref.perSample[i].nll).toBeLessThan(1e-4),
        );
        expect(Math.abs(gpu.ppl - ref.ppl) / ref.ppl).toBeLessThan(1e-4);
      }
    } finally {
      model.destroy();
    }
  });

  it('refuses a sequence that predicts nothing, by sample', async () => {
    const w = await fixtureWeights('f32');
    expect(() => referencePerplexity(w, [{ source: 'x.txt:3', tokens: [1] }])).toThrow(
      /"x\.txt:3" has 1 token\(s\): perplexity needs BOS and at least one more/,
    );
    expect(() => referencePerplexity(w, [])).toThrow(/no evaluation samples/);
  });
});
