// Dispatch of shaders/attention.wgsl and its kernel families (attention_wg.wgsl, attention_blk.wgsl,
// attention_mm.wgsl). Reference twin: src/reference/attention.ts.
import code from '../../../shaders/attention.wgsl?raw';
import wgCode from '../../../shaders/attention_wg.wgsl?raw';
import blkCode from '../../../shaders/attention_blk.wgsl?raw';
import mmCode from '../../../shaders/attention_mm.wgsl?raw';
import {
  groups,
  withConstants,
  workgroupSize,
  type Bound,
  type GpuContext,
} from '../runtime/context';
import { MATRIX_ENABLE } from './linear';
import type { AttentionDims } from '../../reference/attention';

export const MAX_HEAD_DIM = 256;

/**
 * Which kernels run: on real GPUs (the tiled option) the 16-row block kernels (*_blk) where the
 * head dimension is a multiple of 16 up to 128, else the workgroup-per-row ones (*_wg); the
 * simple ones on software adapters. On the f16 path with subgroup matrices the forward runs on
 * them (shaders/attention_mm.wgsl; options.matrixAttention false keeps *_blk; the backward stays
 * *_blk).
 */
type Kind = 'simple' | 'wg' | 'blk';
function kindOf(ctx: GpuContext, d: AttentionDims): Kind {
  if (!ctx.options.tiledLinear) return 'simple';
  return blockDh(d) && ctx.options.blockAttention !== false ? 'blk' : 'wg';
}
const blockDh = (d: AttentionDims) => d.Dh % 16 === 0 && d.Dh <= 128;
/** Whether the forward runs on subgroup matrices (attention_mm.wgsl). */
export const matrixAttention = (ctx: GpuContext, d: AttentionDims): boolean =>
  !!(ctx.options.matrixAttention !== false && ctx.options.f16 && ctx.options.matrix) &&
  kindOf(ctx, d) === 'blk';
/** Queries per workgroup of attention_mm.wgsl. */
const MM_ROWS = 64;
const entry = (kind: Kind, name: string) => (kind === 'simple' ? name : `${name}_${kind}`);
/** The module of a kind's kernels: attention.wgsl with its family's file appended. */
const FAMILY: Record<Kind, { name: string; src: string }> = {
  simple: { name: 'attention', src: code },
  wg: { name: 'attention_wg', src: `${code}\n${wgCode}` },
  blk: { name: 'attention_blk', src: `${code}\n${blkCode}` },
};
const kernel = (ctx: GpuContext, kind: Kind, name: string) =>
  ctx.pipeline(FAMILY[kind].name, FAMILY[kind].src, entry(kind, name));
/** Workgroups along the rows (queries, or keys for backward_kv). */
/** Rows (queries) per workgroup of the simple kernels, and per block of the *_blk ones. */
const [WG_SIMPLE] = workgroupSize(code, 'attention_forward');
const [WG_DELTA] = workgroupSize(code, 'attention_delta');
const BLOCK_ROWS = 16;
const rows = (kind: Kind, T: number): [number] => [
  kind === 'simple' ? groups(T, WG_SIMPLE) : kind === 'wg' ? T : groups(T, BLOCK_ROWS),
];

/**
 * A batch's sequences for one dispatch of the block kernels (and delta): sequence z of T[z]
 * tokens at rows z · stride …, its (H, T) statistics at row z · stride of the (rows, H) lse and
 * delta. Absent: one sequence of d.T tokens.
 */
export interface AttentionSeqs {
  T: number[];
  stride: number;
}
/** Sequences one dispatch takes (Dims.Ts: array<vec4u, 2>). */
export const MAX_SEQS = 8;

function dims(ctx: GpuContext, d: AttentionDims, seqs?: AttentionSeqs): GPUBuffer {
  if (d.Dh > MAX_HEAD_DIM) throw new Error(`head dimension ${d.Dh} is above ${MAX_HEAD_DIM}`);
  const Ts = seqs?.T ?? [d.T];
  if (Ts.length > MAX_SEQS) throw new Error(`attention: ${Ts.length} sequences (≤ ${MAX_SEQS})`);
  const u = new Uint32Array(16);
  u.set([d.T, d.H, d.Hkv, d.Dh, 0, seqs?.stride ?? 0, 0, 0, ...Ts]);
  new Float32Array(u.buffer)[4] = 1 / Math.sqrt(d.Dh);
  return ctx.uniform(u);
}

/**
 * Whether one dispatch may take a batch's sequences on this context: the block kernels only
 * (the per-row ones take one sequence each).
 */
export const attentionTakesSeqs = (ctx: GpuContext, d: AttentionDims): boolean =>
  kindOf(ctx, d) === 'blk';

/**
 * out (T, H·Dh), lse (H, T) ← q (T, H·Dh), k, v (T, Hkv·Dh). Overwrites out and lse. `seqs`
 * (attentionTakesSeqs contexts): a batch's sequences in one dispatch, d.T their longest.
 */
export function attentionForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: Bound,
  lse: Bound,
  q: Bound,
  k: Bound,
  v: Bound,
  d: AttentionDims,
  seqs?: AttentionSeqs,
): void {
  const kind = kindOf(ctx, d);
  const bind = { out0: out, out1: lse, q, k, v, dims: dims(ctx, d, seqs) };
  if (matrixAttention(ctx, d)) {
    const src = `${MATRIX_ENABLE}${withConstants(mmCode, { DH: d.Dh })}`;
    const p = ctx.pipeline(`attention_mm${d.Dh}`, src, 'attention_forward_mm');
    ctx.dispatch(enc, p, bind, [groups(d.T, MM_ROWS), d.H, zOf(kind, seqs)]);
    return;
  }
  const p = kernel(ctx, kind, 'attention_forward');
  ctx.dispatch(enc, p, bind, [...rows(kind, d.T), d.H, zOf(kind, seqs)]);
}

function zOf(kind: Kind, seqs?: AttentionSeqs): number {
  if (seqs && kind !== 'blk') throw new Error('attention: only the block kernels take sequences');
  return seqs?.T.length ?? 1;
}

/**
 * dq, dk, dv ← dout, with `delta` (H, T) as scratch. Overwrites dq, dk, dv and delta. `seqs`: as
 * attentionForward's.
 */
export function attentionBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dq: Bound,
  dk: Bound,
  dv: Bound,
  delta: Bound,
  dout: Bound,
  q: Bound,
  k: Bound,
  v: Bound,
  out: Bound,
  lse: Bound,
  d: AttentionDims,
  seqs?: AttentionSeqs,
): void {
  const u = dims(ctx, d, seqs);
  const kind = kindOf(ctx, d);
  const z = zOf(kind, seqs);
  const pd = ctx.pipeline('attention', code, 'attention_delta');
  const dGrid: [number, number, number] = [groups(d.T, WG_DELTA), d.H, z];
  ctx.dispatch(enc, pd, { out0: delta, dout, att: out, dims: u }, dGrid);
  const pq = kernel(ctx, kind, 'attention_backward_query');
  ctx.dispatch(enc, pq, { out0: dq, q, k, v, dout, lse, delta, dims: u }, [
    ...rows(kind, d.T),
    d.H,
    z,
  ]);
  const pkv = kernel(ctx, kind, 'attention_backward_kv');
  ctx.dispatch(enc, pkv, { out0: dk, out1: dv, q, k, v, dout, lse, delta, dims: u }, [
    ...rows(kind, d.T),
    d.Hkv,
    z,
  ]);
}
