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
import { reduceMatrix } from '../../analysis/reductions';
import type { OpCase } from '../checks/opcheck';
import type { GpuContext } from '../runtime/context';

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

/**
 * A batch's samples of one set scored in one kernel (scoreFold): sample s at rows s · stride …
 * (the padding rows random: must be ignored), its first Ts[s] rows its tokens; acc += Σ_s A_s and
 * acc = Σ_s A_s, and each sample's partial sums, Q4_0 weights unless `type` says. `f16`: the twin's operands rounded
 * as the f16 path rounds them (dY times F16_GRAD_SCALE), A scaled back; `on`: the context that
 * folds (default: the check's).
 */
export function scoreFoldCase(
  shape: Omit<LinearDims, 'T'>,
  Ts: number[],
  stride: number,
  metric: Metric,
  f16?: { toF16: (a: ArrayLike<number>, scale?: number) => Float64Array; scale: number },
  on?: GpuContext,
  type: GgmlType = GgmlType.Q4_0,
): OpCase {
  const n = shape.O * shape.I;
  const bytes = randomTensorBytes(type, n, 22, 0.02);
  const acc0 = randomArray(n, 23, 0.01).map(Math.abs);
  const pstride = gpu.partStride(gpu.scoreSlots({ ...shape, T: 1 }));
  let used = 0;
  const rows = Ts.length * stride;
  const d = { ...shape, T: Math.max(...Ts) };
  return {
    name: `score_fold ${metric} ${GgmlType[type]} T=${Ts.join('+')} ${stride} apart I=${d.I} O=${d.O}${f16 ? ' f16' : ''}`,
    inputs: {
      dY: randomArray(rows * d.O, 24).map((v) => v * 1e-4),
      X: randomArray(rows * d.I, 25),
    },
    weights: { W: { bytes, type, elements: n } },
    outputs: { acc: acc0.slice(), accSet: acc0.slice(), part: Ts.length * pstride },
    reference: ({ dY, X }) => {
      const W = dequantize(type, bytes, n);
      const sum = new Float64Array(n);
      const sums: number[] = [];
      Ts.forEach((T, s) => {
        const at = (a: Float32Array, w: number) => a.subarray(s * stride * w, (s * stride + T) * w);
        const [dYs, Xs] = [at(dY as Float32Array, d.O), at(X as Float32Array, d.I)];
        const ops = f16 ? [f16.toF16(dYs, f16.scale), f16.toF16(Xs)] : [dYs, Xs];
        const unscale = f16 ? 1 / f16.scale : 1;
        const A = ref.scoreValues(ops[0], ops[1], W, undefined, { ...d, T }, metric);
        const As = A.map((v) => v * unscale);
        As.forEach((v, i) => (sum[i] += v));
        const r = reduceMatrix(As);
        sums.push(r.sumA, r.sumA2, r.maxA);
      });
      return {
        acc: acc0.map((x, i) => x + sum[i]),
        accSet: Float32Array.from(sum),
        sums: Float32Array.from(sums),
      };
    },
    gpu: (c, enc, b, w) => {
      const ctx = on ?? c;
      used = gpu.scoreSlots(d, ctx);
      const batch = { T: Ts, stride, pstride };
      gpu.scoreFold(ctx, enc, b.acc, b.part, b.dY, b.X, w.W, d, metric, true, batch);
      gpu.scoreFold(ctx, enc, b.accSet, b.part, b.dY, b.X, w.W, d, metric, 'set', batch);
    },
    readback: (got) => ({
      ...got,
      sums: Float32Array.from(
        Ts.flatMap((_, s) => gpu.sumPartials(got.part.subarray(s * pstride), used, true)),
      ),
    }),
    tolerance: (want) => f32Scaled(want),
  };
}
