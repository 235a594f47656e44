// Pruning on the GPU (src/prune/gpu.ts) against its reference twin (src/prune/prune.ts) on
// fixtures: the same weights pruned for every method — identical masks, Wanda's and the score's
// included (their norms and sums come from two different forwards, yet no near-tie falls the
// other way on these fixtures) — the same perplexity after (1e-4), the model restored to its file's bytes by restoreDense, and refusals by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { gpuPerplexity, referencePerplexity } from '../../src/engine/perplexity';
import { gpuDenseNorms, gpuPrune, readPrunedTensors, restoreDense } from '../../src/prune/gpu';
import {
  pruneModel,
  referenceDenseNorms,
  withPrunedTensors,
  type PruneRequest,
} from '../../src/prune/prune';
import { owlRatios } from '../../src/prune/owl';
import { dequantize } from '../../src/gguf/dequant';
import { MATRICES, layerTensorName, matrixShape, type MatrixName } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { readMatrixBytes } from '../../src/model/layout';
import { GgmlType } from '../../src/gguf/types';
import type { PrunedTensor } from '../../src/prune/zero';
import type { PruneMethod } from '../../src/prune/select';
import type { NmPattern } from '../../src/reference/prune_mask';

const CALIBRATION = [
  [1, 17, 200, 5, 91, 300, 8],
  [1, 44, 9],
  [1, 3, 3, 250, 12],
];
const EVAL = [
  { source: 'a', tokens: [1, 7, 80, 5, 91, 33, 8, 100] },
  { source: 'b', tokens: [1, 3, 3, 3, 250, 12, 77, 140, 9] },
];

describe('pruning on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  const cases: [string, PruneMethod, number, NmPattern?][] = [
    ['q4_0', 'magnitude', 0],
    ['q8_0', 'random', 0],
    ['f32', 'wanda', 0],
    ['q4_0', 'wanda', 0],
    ['q8_0', 'score', 0],
    // N:M semi-structured: S = N/M in every layer
    ['q4_0', 'wanda', 0, { n: 2, m: 4 }],
    ['q8_0', 'magnitude', 0, { n: 4, m: 8 }],
    // q, k rows read in Meta's order, Phi-3's fused matrices split: pruned in that layout
    ['qwen2', 'wanda', 0],
    ['phi3', 'magnitude', 0],
  ];
  it.each(cases)(
    '%s %s: the weights the reference prunes, its perplexity %o',
    async (name, method, tol, pattern) => {
      const file = await fixtureFile(name as 'f32');
      const w = await fixtureWeights(name as 'f32');
      const L = w.config.blockCount;
      const req: PruneRequest = {
        method,
        sparsity: Array.from({ length: L }, (_, l) =>
          pattern ? pattern.n / pattern.m : 0.3 + (0.4 * l) / Math.max(1, L - 1),
        ),
        seed: 4,
        calibration: CALIBRATION,
        ...(pattern ? { pattern } : {}),
      };
      const ref = await pruneModel(file, w, req);
      if (pattern) expectNm(ref.tensors, file, w.config, pattern);
      const model = await uploadLlama(ctx, file);
      try {
        const layers: number[] = [];
        const pruned = await gpuPrune(ctx, model, req, { onLayer: (d) => layers.push(d) });
        expect(pruned).toEqual(ref.pruned);
        expect(layers.at(-1)).toBe(L);
        const got = await readPrunedTensors(ctx, model, file);
        let differ = 0;
        let total = 0;
        for (let l = 0; l < L; l++)
          for (const m of MATRICES) {
            const t = layerTensorName(l, m);
            const { O, I } = matrixShape(w.config, m);
            const [g, r] = [got.get(t)!, ref.tensors.get(t)!];
            expect(g.type).toBe(r.type);
            const [a, b] = [dequantize(g.type, g.bytes, O * I), dequantize(r.type, r.bytes, O * I)];
            for (let e = 0; e < a.length; e++) {
              total += b[e] === 0 ? 1 : 0;
              differ += (a[e] === 0) !== (b[e] === 0) ? 1 : 0;
            }
          }
        expect(differ / total).toBeLessThanOrEqual(tol);
        const refPpl = referencePerplexity(withPrunedTensors(file, w, ref.tensors), EVAL);
        const gpuPpl = await gpuPerplexity(ctx, model, EVAL);
        expect(Math.abs(gpuPpl.ppl - refPpl.ppl) / refPpl.ppl).toBeLessThan(1e-4);
        const dense = referencePerplexity(w, EVAL);
        expect(refPpl.ppl).not.toBeCloseTo(dense.ppl, 3);
        // restoreDense: the file's bytes again, and the dense perplexity
        await restoreDense(ctx, model, file);
        const back = await readPrunedTensors(ctx, model, file);
        await expectDense(back, file);
        const again = await gpuPerplexity(ctx, model, EVAL);
        expect(Math.abs(again.ppl - dense.ppl) / dense.ppl).toBeLessThan(1e-4);
      } finally {
        model.destroy();
      }
    },
  );

  it('OWL: the dense calibration walk gives the reference’s norms (1e-4) and outlier ratios', async () => {
    const file = await fixtureFile('q8_0');
    const w = await fixtureWeights('q8_0');
    const model = await uploadLlama(ctx, file);
    try {
      const weights = async (l: number, m: MatrixName) => w.layers[l].matrices[m];
      const ref = await owlRatios(
        w.config,
        3,
        (each) => referenceDenseNorms(w, CALIBRATION, each),
        weights,
      );
      let worst = 0;
      const gpu = await owlRatios(
        w.config,
        3,
        (each) =>
          gpuDenseNorms(ctx, model, CALIBRATION, async (l, norms) => {
            await referenceDenseNorms(w, CALIBRATION, async (k, r) => {
              if (k !== l) return;
              for (const m of MATRICES)
                for (let i = 0; i < r[m].length; i++)
                  worst = Math.max(worst, Math.abs(norms[m][i] - r[m][i]) / r[m][i]);
            });
            await each(l, norms);
          }),
        weights,
      );
      expect(worst).toBeLessThan(1e-4);
      expect(worst).toBeGreaterThan(0); // two forwards: not the same numbers by construction
      // a ratio moves only if an entry sits within 1e-4 of M × the mean: none on this fixture
      expect(gpu).toEqual(ref);
      expect(new Set(ref).size).toBeGreaterThan(1);
    } finally {
      model.destroy();
    }
  });

  it('Q4_K (no exact 0): the pruned matrices re-encoded as F16, byte for byte the reference’s; restored after', async () => {
    const file = await fixtureFile('q4_k');
    const w = await fixtureWeights('q4_k');
    const L = w.config.blockCount;
    const req: PruneRequest = {
      method: 'wanda',
      sparsity: new Array(L).fill(0.5),
      seed: 0,
      calibration: CALIBRATION,
    };
    const ref = await pruneModel(file, w, req);
    const model = await uploadLlama(ctx, file);
    try {
      expect(await gpuPrune(ctx, model, req)).toEqual(ref.pruned);
      const got = await readPrunedTensors(ctx, model, file);
      for (const [t, r] of ref.tensors) {
        expect(r.type, t).toBe(GgmlType.F16);
        expect(got.get(t)!.type, t).toBe(GgmlType.F16);
        expect(Buffer.from(got.get(t)!.bytes).equals(Buffer.from(r.bytes)), t).toBe(true);
      }
      const refPpl = referencePerplexity(withPrunedTensors(file, w, ref.tensors), EVAL);
      const gpuPpl = await gpuPerplexity(ctx, model, EVAL);
      expect(Math.abs(gpuPpl.ppl / refPpl.ppl - 1)).toBeLessThan(1e-4);
      await restoreDense(ctx, model, file);
      for (const lw of model.layers)
        for (const m of MATRICES) expect(lw.m[m].type).toBe(GgmlType.Q4_K);
      const dense = referencePerplexity(w, EVAL);
      expect(Math.abs((await gpuPerplexity(ctx, model, EVAL)).ppl / dense.ppl - 1)).toBeLessThan(
        1e-4,
      );
    } finally {
      model.destroy();
    }
  });

  it('refuses before pruning: a list of the wrong length, S outside [0, 1), no calibration', async () => {
    const file = await fixtureFile('q4_0');
    const model = await uploadLlama(ctx, file);
    const L = model.config.blockCount;
    try {
      const bad = (req: Partial<PruneRequest>) =>
        gpuPrune(ctx, model, {
          method: 'magnitude',
          sparsity: new Array(L).fill(0.5),
          seed: 0,
          ...req,
        });
      await expect(bad({ sparsity: [0.5] })).rejects.toThrow(`1 sparsities for ${L} layers`);
      await expect(bad({ sparsity: new Array(L).fill(1) })).rejects.toThrow(
        /sparsity 1: each S_i must be in \[0, 1\)/,
      );
      await expect(bad({ method: 'wanda' })).rejects.toThrow('wanda needs calibration samples');
      const back = await readPrunedTensors(ctx, model, file);
      await expectDense(back, file);
    } finally {
      model.destroy();
    }
  });
});

/** The matrices read back are the file's own, in the engine's layout (restoreDense undid it all). */
async function expectDense(
  back: Map<string, PrunedTensor>,
  file: Awaited<ReturnType<typeof fixtureFile>>,
): Promise<void> {
  const c = llamaConfig(file);
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      const dense = await readMatrixBytes(file, c, l, m);
      const got = back.get(layerTensorName(l, m))!;
      expect(got.type).toBe(dense.type);
      expect(got.bytes).toEqual(dense.bytes);
    }
}

/** Every group of m consecutive weights of a row holds n zeros or more (its n smallest pruned). */
function expectNm(
  tensors: Map<string, PrunedTensor>,
  file: Awaited<ReturnType<typeof fixtureFile>>,
  c: Parameters<typeof matrixShape>[0],
  p: NmPattern,
): void {
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      const t = layerTensorName(l, m);
      const { O, I } = matrixShape(c, m);
      const W = dequantize(tensors.get(t)!.type, tensors.get(t)!.bytes, O * I);
      for (let g = 0; g < (O * I) / p.m; g++) {
        let zeros = 0;
        for (let a = 0; a < p.m; a++) zeros += W[g * p.m + a] === 0 ? 1 : 0;
        expect(zeros, `${t} group ${g}`).toBeGreaterThanOrEqual(p.n);
      }
    }
}
