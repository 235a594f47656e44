// Checks the f16 path's kernels of a context (f16 multiply-adds, or subgroup matrices where the
// adapter has them) against their TypeScript twins: the quantized linears forward and backward,
// with partial tiles and split-K, and (subgroup matrices) the score's ∂D/∂W. CI's adapters have
// no subgroup matrices, so `npm run bench -- --precision f16 --check` runs this on real GPUs.
import { checkOp, type OpCase, type OpCheckResult } from './opcheck';
import { GpuContext } from '../runtime/context';
import { attentionForward } from '../ops/attention';
import * as refAttention from '../../reference/attention';
import type { AttentionDims } from '../../reference/attention';
import { uploadWeight } from '../ops/quant';
import { F16_GRAD_SCALE, linearBackwardInput, linearForward } from '../ops/linear';
import { foldsScore, scoreGradMatrix, scoreReduce, scoreSlots, sumPartials } from '../ops/score';
import { scoreFoldCase } from '../cases/score';
import { packedBound } from '../cases/linear';
import { scoreValues } from '../../reference/score';
import { reduceMatrix } from '../../analysis/reductions';
import { dequantize } from '../../gguf/dequant';
import type { Metric } from '../../analysis/metrics';
import type { LinearDims } from '../../model/shapes';
import * as ref from '../../reference/linear';
import { matmulBackwardWeight } from '../../reference/matmul';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { GgmlType } from '../../gguf/types';
import { randomArray } from '../../util/random';
import { F32_OP, f32Scaled } from '../../util/tolerances';

export interface F16Check {
  ok: boolean;
  results: { name: string; ok: boolean; maxRelDiff: number; report: string }[];
}

function cases(ctx: GpuContext, weights: GPUBuffer[]): OpCase[] {
  const out: OpCase[] = [];
  for (const type of [GgmlType.Q4_0, GgmlType.Q8_0]) {
    // 3 × 10 tiles with partial edges; few tiles over a long reduction (split-K); whole
    // 128-row tiles without split-K (the matrix kernels store those straight from the result
    // matrices going forward, through workgroup memory backward) and with it
    for (const d of [
      { T: 130, I: 640, O: 600 },
      { T: 7, I: 4096, O: 1024 },
      { T: 128, I: 256, O: 512 },
      { T: 128, I: 1024, O: 512 },
      // rows not a multiple of 8 (the direct kernels' weight packing element by element)
      { T: 37, I: 600, O: 72 },
    ]) {
      const bytes = randomTensorBytes(type, d.O * d.I, 11, 0.02);
      const tag = `${GgmlType[type]} T=${d.T} I=${d.I} O=${d.O}`;
      const W = uploadWeight(ctx.device, bytes, type, d.O * d.I);
      weights.push(W.buffer);
      // the packed f16 kernel (options.f16Packed, no subgroup matrices): the f16 twin within its bound
      const packed = !!ctx.options.f16Packed && !ctx.options.matrix;
      const [fwd, bwd] = [packedBound(packed), packedBound(packed)];
      out.push({
        name: `linear_forward ${tag}`,
        inputs: { X: randomArray(d.T * d.I, 1) },
        outputs: { Y: d.T * d.O },
        reference: ({ X }) => {
          const Y = new Float64Array(d.T * d.O);
          ref.linearForwardF16(Y, X, bytes, type, d);
          fwd.measure(X, bytes, type, d, false);
          return { Y: Float32Array.from(Y) };
        },
        gpu: (c, enc, b) => linearForward(c, enc, b.Y, b.X, W, d),
        tolerance: fwd.tolerance,
      });
      out.push({
        name: `linear_backward_input ${tag}`,
        inputs: { dY: randomArray(d.T * d.O, 2).map((v) => v * 1e-4) },
        outputs: { dX: d.T * d.I },
        reference: ({ dY }) => {
          const dX = new Float64Array(d.T * d.I);
          ref.linearBackwardInputF16(dX, dY, bytes, type, d, F16_GRAD_SCALE);
          bwd.measure(dY, bytes, type, d, true, F16_GRAD_SCALE);
          return { dX: Float32Array.from(dX) };
        },
        gpu: (c, enc, b) => linearBackwardInput(c, enc, b.dX, b.dY, W, d),
        tolerance: bwd.tolerance,
      });
    }
  }
  if (ctx.options.matrix) {
    // the score's g = (dY · scale)ᵀ X on subgroup matrices: partial tiles on both sides, a short
    // T over whole tiles, T not a multiple of the 32-token chunks
    for (const d of [
      { T: 128, I: 288, O: 300 },
      { T: 7, I: 256, O: 128 },
      { T: 45, I: 512, O: 256 },
    ]) {
      out.push({
        name: `score_grad_mm T=${d.T} I=${d.I} O=${d.O}`,
        inputs: {
          dY: randomArray(d.T * d.O, 3).map((v) => v * 1e-4),
          X: randomArray(d.T * d.I, 4),
        },
        outputs: { g: d.O * d.I },
        reference: ({ dY, X }) => {
          const g = new Float64Array(d.O * d.I);
          const f16 = (a: Float32Array | Uint32Array, s?: number) =>
            ref.toF16(a as Float32Array, s);
          matmulBackwardWeight(g, f16(dY, F16_GRAD_SCALE), f16(X), d);
          return { g: Float32Array.from(g) };
        },
        gpu: (c, enc, b) => scoreGradMatrix(c, enc, b.g, b.dY, b.X, d),
        tolerance: (want) => f32Scaled(want),
      });
      out.push(scoreCase(ctx, d, 'grad_x_weight'));
    }
    out.push(scoreCase(ctx, { T: 45, I: 512, O: 256 }, 'grad'));
    // the attention forward on subgroup matrices (the f16 default): one sequence over
    // several 64-query blocks and 32-key chunks, and a batch stacked (lengths under and over a block)
    const mm = new GpuContext(ctx.device, { ...ctx.options, matrixAttention: true });
    out.push(attentionMmCase(mm, { H: 4, Hkv: 2, Dh: 128 }, [70], 70));
    out.push(attentionMmCase(mm, { H: 2, Hkv: 1, Dh: 64 }, [33, 5, 64, 1], 72));
    const fold = new GpuContext(ctx.device, { ...ctx.options, foldScore: true });
    if (foldsScore(fold, 'grad')) {
      // a batch's samples folded: lengths under, at and not a multiple of the 32-token chunk, the
      // padding rows between them filled (must be ignored); partial tiles
      const f16 = { toF16: ref.toF16, scale: F16_GRAD_SCALE };
      out.push(scoreFoldCase({ I: 288, O: 300 }, [45, 7, 48], 48, 'grad_x_weight', f16, fold));
      out.push(scoreFoldCase({ I: 512, O: 256 }, [128, 128, 100, 1], 128, 'grad', f16, fold));
      // a set's one member in a batch: the per-sample kernel through scoreFold
      out.push(scoreFoldCase({ I: 288, O: 300 }, [45], 48, 'grad_x_weight', f16, fold));
      // weights other than Q4_0 (decoded per sample: rows of 8, a K-quant element by element)
      for (const type of [GgmlType.Q8_0, GgmlType.Q4_K])
        out.push(scoreFoldCase({ I: 512, O: 64 }, [30, 17], 32, 'grad_x_weight', f16, fold, type));
    }
  }
  return out;
}

/**
 * The score pass as the engine runs it on this context (on subgroup matrices: g formed and scored
 * in one kernel, unless options.fusedScore is false): acc += A and acc = A, and the partials'
 * sums, against A from the f16-rounded operands (f64 sums), Q4_0 weights.
 */
function scoreCase(ctx: GpuContext, d: LinearDims, metric: Metric): OpCase {
  const type = GgmlType.Q4_0;
  const n = d.O * d.I;
  const bytes = randomTensorBytes(type, n, 12, 0.02);
  const acc0 = randomArray(n, 13, 0.01).map(Math.abs);
  const slots = scoreSlots(d);
  const used = scoreSlots(d, ctx);
  return {
    name: `score_reduce ${metric} Q4_0 T=${d.T} I=${d.I} O=${d.O}`,
    inputs: { dY: randomArray(d.T * d.O, 14).map((v) => v * 1e-4), X: randomArray(d.T * d.I, 15) },
    weights: { W: { bytes, type, elements: n } },
    outputs: { acc: acc0.slice(), accSet: acc0.slice(), part: slots * 3 },
    reference: ({ dY, X }) => {
      const W = dequantize(type, bytes, n);
      const g16 = scoreValues(ref.toF16(dY, F16_GRAD_SCALE), ref.toF16(X), W, undefined, d, metric);
      const A = g16.map((v) => v / F16_GRAD_SCALE); // A is linear in g; the scale a power of 2
      const r = reduceMatrix(A);
      return {
        acc: acc0.map((x, i) => x + A[i]),
        accSet: Float32Array.from(A),
        sums: Float32Array.of(r.sumA, r.sumA2, r.maxA),
      };
    },
    gpu: (c, enc, b, w) => {
      scoreReduce(c, enc, b.acc, b.part, b.dY, b.X, w.W, b.X, d, metric, true);
      scoreReduce(c, enc, b.accSet, b.part, b.dY, b.X, w.W, b.X, d, metric, 'set');
    },
    readback: (got) => ({ ...got, sums: Float32Array.from(sumPartials(got.part, used, true)) }),
    tolerance: (want) => f32Scaled(want),
  };
}

/**
 * attention_mm.wgsl on `mm` (a context with matrixAttention): sequences of Ts tokens `stride`
 * rows apart in one dispatch, out against attentionForwardF16 per sequence (P rounded to f16 on
 * both sides; a probability on an f16 rounding edge may round the other way, hence 1e-3).
 */
function attentionMmCase(
  mm: GpuContext,
  d: Omit<AttentionDims, 'T'>,
  Ts: number[],
  stride: number,
): OpCase {
  const rows = Ts.length * stride;
  const [wq, wk] = [d.H * d.Dh, d.Hkv * d.Dh];
  const q = randomArray(rows * wq, 31);
  const k = randomArray(rows * wk, 32);
  const v = randomArray(rows * wk, 33);
  const seqs = { T: Ts, stride };
  const dMax = { ...d, T: Math.max(...Ts) };
  return {
    name: `attention_forward_mm T=${Ts.join('+')} H=${d.H} Hkv=${d.Hkv} Dh=${d.Dh}`,
    inputs: { q, k, v },
    outputs: { att: rows * wq, lse: rows * d.H },
    reference: () => {
      const att = new Float32Array(rows * wq);
      const lse = new Float32Array(rows * d.H);
      Ts.forEach((T, z) => {
        const at = (a: Float32Array, w: number) => a.subarray(z * stride * w, (z * stride + T) * w);
        const L = new Float64Array(d.H * T);
        refAttention.attentionForwardF16(at(att, wq), L, at(q, wq), at(k, wk), at(v, wk), {
          ...d,
          T,
        });
        lse.set(L, z * stride * d.H);
      });
      return { att, lse };
    },
    gpu: (_c, enc, b) => attentionForward(mm, enc, b.att, b.lse, b.q, b.k, b.v, dMax, seqs),
    tolerance: (want) => f32Scaled(want, 1e-3, 1e-4),
  };
}

/** Runs every case; ok when all are within 1e-4 (scaled) of their twins. */
export async function checkF16Kernels(ctx: GpuContext): Promise<F16Check> {
  const results: OpCheckResult[] = [];
  const weights: GPUBuffer[] = [];
  for (const c of cases(ctx, weights)) results.push(await checkOp(ctx, c, F32_OP));
  weights.forEach((w) => w.destroy());
  return {
    ok: results.every((r) => r.ok),
    results: results.map((r) => ({
      name: r.name,
      ok: r.ok,
      maxRelDiff: r.maxRelDiff,
      report: r.report,
    })),
  };
}
