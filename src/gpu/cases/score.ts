// Op cases for shaders/score.wgsl: one sample's A = metric(W, ∂D/∂W = dYᵀX) added into a set's
// accumulator (and written over it: a set's first sample of a layer) with its per-workgroup
// Σ A, Σ A², max A; and a pair's Σ|A_a·A_b|, Σ A_a², Σ A_b². Through whichever kernels the
// context picks.
import * as gpu from '../ops/score';
import * as ref from '../../reference/score';
import { columnNorms, type Metric } from '../../analysis/metrics';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { dequantize } from '../../gguf/dequant';
import { GgmlType } from '../../gguf/types';
import type { LinearDims } from '../../model/shapes';
import { randomArray } from '../../util/random';
import { f32Scaled } from '../../util/tolerances';
import type { OpCase } from '../opcheck';

export function scoreCases(metric: Metric, type: GgmlType, d: LinearDims, Tb: number): OpCase[] {
  const n = d.O * d.I;
  const bytes = randomTensorBytes(type, n, 3);
  const dYa = randomArray(d.T * d.O, 4);
  const Xa = randomArray(d.T * d.I, 5);
  const dYb = randomArray(Tb * d.O, 6);
  const Xb = randomArray(Tb * d.I, 7);
  const xna = Float32Array.from(columnNorms(Xa, d.T, d.I));
  const xnb = Float32Array.from(columnNorms(Xb, Tb, d.I));
  const acc0 = randomArray(n, 8, 0.01).map(Math.abs);
  // the most partial triples any kernel writes; the readback takes as many as the context's
  const slots = gpu.scoreSlots(d);
  let used = 0;
  const sums = (p: Float32Array, max: boolean) => Float32Array.from(gpu.sumPartials(p, used, max));
  const a = { dY: dYa, X: Xa, xnorm: Float64Array.from(xna) };
  const b = { dY: dYb, X: Xb, xnorm: Float64Array.from(xnb) };
  return [
    {
      name: `score_reduce and score_pair ${metric} ${GgmlType[type]} (T=${d.T}, Tb=${Tb}, I=${d.I}, O=${d.O})`,
      inputs: { dYa, Xa, dYb, Xb, xna, xnb },
      weights: { W: { bytes, type, elements: n } },
      outputs: { acc: acc0.slice(), accSet: acc0.slice(), part: slots * 3, pair: slots * 3 },
      reference: () => {
        const W = dequantize(type, bytes, n);
        const A = ref.scoreValues(dYa, Xa, W, a.xnorm, d, metric);
        const r = ref.scoreReduce(dYa, Xa, W, a.xnorm, d, metric);
        const p = ref.scorePair(a, b, W, d, metric, Tb);
        return {
          acc: acc0.map((x, i) => x + A[i]),
          accSet: Float32Array.from(A),
          sums: Float32Array.of(r.sumA, r.sumA2, r.maxA),
          pair: Float32Array.of(p.dot, p.aa, p.bb),
        };
      },
      gpu: (ctx, enc, x, w) => {
        used = gpu.scoreSlots(d, ctx);
        const { acc, accSet, part, dYa, Xa, xna } = x;
        gpu.scoreReduce(ctx, enc, acc, part, dYa, Xa, w.W, xna, d, metric, true);
        gpu.scoreReduce(ctx, enc, accSet, part, dYa, Xa, w.W, xna, d, metric, 'set');
        const pa = { dY: dYa, X: Xa, xnorm: xna };
        const pb = { dY: x.dYb, X: x.Xb, xnorm: x.xnb };
        gpu.scorePair(ctx, enc, x.pair, pa, pb, w.W, d, Tb, metric);
      },
      readback: (got) => ({ ...got, sums: sums(got.part, true), pair: sums(got.pair, false) }),
      tolerance: (want) => f32Scaled(want),
    },
  ];
}
