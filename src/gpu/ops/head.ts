// Dispatch of shaders/head.wgsl (argmax and the one-row backward); the logits themselves are
// linearForward with T = 1. Reference twin: src/reference/head.ts.
import code from '../../../shaders/head.wgsl?raw';
import { groups, workgroupSize, type GpuContext } from '../runtime/context';
import { qtype, withQuant, type GpuWeight } from './quant';

const [WG_BACKWARD] = workgroupSize(code, 'head_backward');

/** best (2 × u32) = [argmax, f32 bits of the max] of logits (V). Overwrites best. */
export function headArgmax(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  best: GPUBuffer,
  logits: GPUBuffer,
  W: GpuWeight,
  V: number,
  C: number,
): void {
  const p = ctx.pipeline('head', withQuant(code), 'head_argmax', qtype(W));
  ctx.dispatch(enc, p, { best, logits, dims: ctx.uniform([V, C, 0, 0]) }, [1]);
}

/** dxf (C) = W[best[0]] — the gradient of D = logit[argmax] w.r.t. the normed final state. */
export function headBackward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  dxf: GPUBuffer,
  best: GPUBuffer,
  W: GpuWeight,
  V: number,
  C: number,
): void {
  const p = ctx.pipeline('head', withQuant(code), 'head_backward', qtype(W));
  ctx.dispatch(enc, p, { dxf, wbytes: W.buffer, chosen: best, dims: ctx.uniform([V, C, 0, 0]) }, [
    groups(C, WG_BACKWARD),
  ]);
}
