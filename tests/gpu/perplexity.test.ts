// Perplexity (src/engine/perplexity.ts): the GPU equals the reference backend (1e-4) and both an
// independent f64 log-softmax over the full vocabulary, with the head in one chunk and in chunks
// of 2 rows, the samples stacked in one batch, one per batch and in two (each sample as alone:
// 1e-5); a cancelled run and a NaN in the weights reject, with no numbers; sequences that
// predict nothing are refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { gpuPerplexity, referencePerplexity } from '../../src/engine/perplexity';
import { batchStride, stackedGroups } from '../../src/engine/batch-plan';
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
    // the samples stacked in one batch (the default here), one per batch, and two batches
    const lengths = SAMPLES.map((s) => s.tokens.length);
    const two = 2 * batchStride(c, Math.max(...lengths));
    expect(stackedGroups(c, lengths).map((g) => g.members)).toEqual([[0, 1, 2]]);
    expect(stackedGroups(c, lengths, 1).map((g) => g.members)).toEqual([[0], [1], [2]]);
    expect(stackedGroups(c, lengths, two).map((g) => g.members)).toEqual([[0, 1], [2]]);
    try {
      const alone = await gpuPerplexity(ctx, model, SAMPLES, { batchRows: 1 });
      for (const batchRows of [undefined, 1, two])
        for (const chunkRows of [undefined, 2]) {
          const progress: number[] = [];
          const onProgress = (done: number) => progress.push(done);
          const gpu = await gpuPerplexity(ctx, model, SAMPLES, {
            chunkRows,
            batchRows,
            onProgress,
          });
          expect(gpu.tokens).toBe(ref.tokens);
          expect(gpu.perSample.map((s) => s.source)).toEqual(['a', 'b', 'c']);
          gpu.perSample.forEach((s, i) => {
            expect(Math.abs(s.nll - ref.perSample[i].nll) / ref.perSample[i].nll).toBeLessThan(
              1e-4,
            );
            // a sample stacked with others gets what it gets alone (row-wise ops, causal per sample)
            expect(Math.abs(s.nll - alone.perSample[i].nll) / alone.perSample[i].nll).toBeLessThan(
              1e-5,
            );
          });
          expect(Math.abs(gpu.ppl - ref.ppl) / ref.ppl).toBeLessThan(1e-4);
          expect(progress[progress.length - 1]).toBe(3);
          expect(progress.length).toBe(stackedGroups(c, lengths, batchRows).length);
        }
      // cancelled before the first batch: rejects, no numbers
      const stop = new AbortController();
      stop.abort();
      await expect(
        gpuPerplexity(ctx, model, SAMPLES, { signal: stop.signal, batchRows: 1 }),
      ).rejects.toThrow();
    } finally {
      model.destroy();
    }
  });

  it('a NaN in the weights fails the run (whichever batch it is in), with no numbers', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('f32'));
    try {
      const C = model.config.embeddingLength;
      ctx.device.queue.writeBuffer(model.outputNorm, 0, new Float32Array(C).fill(NaN));
      for (const batchRows of [undefined, 1]) {
        const progress: number[] = [];
        const onProgress = (done: number) => progress.push(done);
        await expect(gpuPerplexity(ctx, model, SAMPLES, { batchRows, onProgress })).rejects.toThrow(
          /non-finite log-probability \(NaN\): check the model file's weights/,
        );
        expect(progress).toEqual([]);
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
