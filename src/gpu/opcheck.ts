// Runs one op on both backends (WGSL on the GPU and its TypeScript twin) and compares the
// outputs. Used by tests/gpu (Dawn) and by the app's engine self-check (the browser's WebGPU).
import {
  compareArrays,
  describeComparison,
  type Comparison,
  type Tolerance,
} from '../util/compare';
import type { GpuContext } from './context';

export interface OpCase {
  /** e.g. `matmul_forward (T=7, I=37, O=19)` */
  name: string;
  inputs: Record<string, Float32Array>;
  outputLength: number;
  reference(inputs: Record<string, Float32Array>): Float32Array;
  gpu(
    ctx: GpuContext,
    enc: GPUCommandEncoder,
    out: GPUBuffer,
    inputs: Record<string, GPUBuffer>,
  ): void;
}

export interface OpCheckResult extends Comparison {
  name: string;
  report: string;
}

export async function checkOp(ctx: GpuContext, c: OpCase, tol: Tolerance): Promise<OpCheckResult> {
  const expected = c.reference(c.inputs);
  const bufs: Record<string, GPUBuffer> = {};
  for (const [k, v] of Object.entries(c.inputs)) bufs[k] = ctx.upload(v, k);
  const out = ctx.storage(c.outputLength * 4, 'out');
  const enc = ctx.device.createCommandEncoder({ label: c.name });
  c.gpu(ctx, enc, out, bufs);
  await ctx.submit(enc);
  const actual = await ctx.readF32(out, c.outputLength);
  for (const b of Object.values(bufs)) b.destroy();
  out.destroy();
  const cmp = compareArrays(actual, expected, tol);
  return { ...cmp, name: c.name, report: describeComparison(c.name, cmp) };
}
