// Dispatch of shaders/attention.wgsl. Reference twin: src/reference/attention.ts.
import code from '../../../shaders/attention.wgsl?raw';
import { groups, workgroupSize, type Bound, type GpuContext } from '../context';
import type { AttentionDims } from '../../reference/attention';

export const MAX_HEAD_DIM = 256;

/**
 * Which kernels run: on real GPUs (the tiled option) the 16-row block kernels (*_blk) where the
 * head dimension is a multiple of 16 up to 128, else the workgroup-per-row ones (*_wg); the
 * simple ones on software adapters.
 */
type Kind = 'simple' | 'wg' | 'blk';
function kindOf(ctx: GpuContext, d: AttentionDims): Kind {
  if (!ctx.options.tiledLinear) return 'simple';
  return d.Dh % 16 === 0 && d.Dh <= 128 && ctx.options.blockAttention !== false ? 'blk' : 'wg';
}
const entry = (kind: Kind, name: string) => (kind === 'simple' ? name : `${name}_${kind}`);
/** Workgroups along the rows (queries, or keys for backward_kv). */
/** Rows (queries) per workgroup of the simple kernels, and per block of the *_blk ones. */
const [WG_SIMPLE] = workgroupSize(code, 'attention_forward');
const [WG_DELTA] = workgroupSize(code, 'attention_delta');
const BLOCK_ROWS = 16;
const rows = (kind: Kind, T: number): [number] => [
  kind === 'simple' ? groups(T, WG_SIMPLE) : kind === 'wg' ? T : groups(T, BLOCK_ROWS),
];

function dims(ctx: GpuContext, d: AttentionDims): GPUBuffer {
  if (d.Dh > MAX_HEAD_DIM) throw new Error(`head dimension ${d.Dh} is above ${MAX_HEAD_DIM}`);
  const u = new Uint32Array(8);
  u.set([d.T, d.H, d.Hkv, d.Dh]);
  new Float32Array(u.buffer)[4] = 1 / Math.sqrt(d.Dh);
  return ctx.uniform(u);
}

/** out (T, H·Dh), lse (H, T) ← q (T, H·Dh), k, v (T, Hkv·Dh). Overwrites out and lse. */
export function attentionForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: Bound,
  lse: Bound,
  q: Bound,
  k: Bound,
  v: Bound,
  d: AttentionDims,
): void {
  const kind = kindOf(ctx, d);
  const p = ctx.pipeline('attention', code, entry(kind, 'attention_forward'));
  ctx.dispatch(enc, p, { out0: out, out1: lse, q, k, v, dims: dims(ctx, d) }, [
    ...rows(kind, d.T),
    d.H,
  ]);
}

/** dq, dk, dv ← dout, with `delta` (H, T) as scratch. Overwrites dq, dk, dv and delta. */
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
): void {
  const u = dims(ctx, d);
  const pd = ctx.pipeline('attention', code, 'attention_delta');
  ctx.dispatch(enc, pd, { out0: delta, dout, att: out, dims: u }, [groups(d.T, WG_DELTA), d.H]);
  const kind = kindOf(ctx, d);
  const pq = ctx.pipeline('attention', code, entry(kind, 'attention_backward_query'));
  ctx.dispatch(enc, pq, { out0: dq, q, k, v, dout, lse, delta, dims: u }, [
    ...rows(kind, d.T),
    d.H,
  ]);
  const pkv = ctx.pipeline('attention', code, entry(kind, 'attention_backward_kv'));
  ctx.dispatch(enc, pkv, { out0: dk, out1: dv, q, k, v, dout, lse, delta, dims: u }, [
    ...rows(kind, d.T),
    d.Hkv,
  ]);
}
