// Llama 3.1's RoPE (frequency factors from rope_freqs.weight, and linear scaling) on the GPU: the
// engine's tables built from the file's factors give the reference backend's run (parity bar) and
// perplexity (1e-4) on the `rope` fixture — and not the numbers of the same model without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { expectParity, flat, request } from '../helpers/parity';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import { runReference } from '../../src/engine/run-reference';
import { gpuPerplexity, referencePerplexity } from '../../src/engine/perplexity';

describe('RoPE scaling on the GPU', { timeout: 300_000 }, () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  it('the rope fixture: GPU = reference, scores and perplexity', async () => {
    const file = await fixtureFile('rope');
    const w = await fixtureWeights('rope');
    const model = await uploadLlama(ctx, file);
    try {
      expect([...model.ropeFactors!]).toEqual([1, 1.5, 4, 8]);
      const req = request(
        model.config.vocabSize,
        [
          [9, 14],
          [6, 3],
        ],
        'grad_x_weight',
      );
      const gpu = flat(await runGpu(ctx, model, req));
      const ref = flat(await runReference(w, req));
      expect(gpu.argmax).toEqual(ref.argmax);
      expectParity('maxLogit', gpu.logits, ref.logits);
      expectParity('sumA, sumA2, maxA', gpu.sums, ref.sums);
      expectParity('llmdcos', gpu.cos, ref.cos);
      const samples = [{ source: 'a', tokens: [1, 17, 200, 5, 91, 30, 8, 12, 40, 3] }];
      const gp = await gpuPerplexity(ctx, model, samples);
      const rp = referencePerplexity(w, samples);
      expect(Math.abs(gp.ppl / rp.ppl - 1)).toBeLessThan(1e-4);
      // without the factors the reference gives another perplexity, off by more than the bar
      // the GPU met (measured: 5.4e-4): they are not inert here
      const plain = referencePerplexity(
        { ...w, config: { ...w.config, ropeFactors: undefined }, ropeFactors: undefined },
        samples,
      );
      expect(Math.abs(plain.ppl / rp.ppl - 1)).toBeGreaterThan(3e-4);
    } finally {
      model.destroy();
    }
  });
});
