// Runs one op on both backends (WGSL on the GPU and its TypeScript twin) and compares every
// output. The one harness of the op tests (tests/gpu/<op>.test.ts, Dawn), the app's engine
// self-check (the browser's WebGPU) and `bench --check` (the f16 kernels on real GPUs).
import {
  compareArrays,
  describeComparison,
  type Comparison,
  type Tolerance,
} from '../util/compare';
import type { GpuContext } from './context';

type Inputs = Record<string, Float32Array | Uint32Array>;

export interface OpCase<In extends Inputs = Record<string, Float32Array>> {
  /** e.g. `rmsnorm_backward (T=7, C=37)` */
  name: string;
  /** uploaded as storage buffers under their names (f32, or u32 such as token ids) */
  inputs: In;
  /** f32 outputs: a length (zero-filled) or the values they start from (ops that accumulate) */
  outputs: Record<string, number | Float32Array>;
  /** the twin's values of the outputs to compare (a subset of outputs: scratch is not compared) */
  reference(inputs: In): Record<string, Float32Array>;
  /** records the op; `b` holds every input and output buffer by name */
  gpu(ctx: GpuContext, enc: GPUCommandEncoder, b: Record<string, GPUBuffer>): void;
  /** the bar, when not the caller's: e.g. scaled to the values for sums of many products */
  tolerance?: (want: Float32Array) => Tolerance;
  /** buffers made by the case (quantized weights), freed after it */
  owned?: GPUBuffer[];
}

export interface OpCheckResult extends Comparison {
  name: string;
  report: string;
}

/** Runs case `c` and compares each output its twin gives; one result, the worst output's. */
export async function checkOp<In extends Inputs>(
  ctx: GpuContext,
  c: OpCase<In>,
  tol: Tolerance,
): Promise<OpCheckResult> {
  const expected = c.reference(c.inputs);
  const b: Record<string, GPUBuffer> = {};
  for (const [k, v] of Object.entries(c.inputs)) b[k] = ctx.upload(v, k);
  for (const [k, v] of Object.entries(c.outputs))
    b[k] = typeof v === 'number' ? ctx.storage(v * 4, k) : ctx.upload(v, k);
  const names = Object.keys(expected);
  try {
    const enc = ctx.device.createCommandEncoder({ label: c.name });
    c.gpu(ctx, enc, b);
    const lengths = names.map((k) => expected[k].length);
    const got = await ctx.submitAndRead(
      enc,
      names.map((k, i) => ({ buffer: b[k], count: lengths[i] })),
    );
    const each = names.map((k, i) => {
      const cmp = compareArrays(got[i], expected[k], c.tolerance?.(expected[k]) ?? tol);
      return { ...cmp, report: describeComparison(`${c.name} ${k}`, cmp) };
    });
    const worst =
      each.find((r) => !r.ok) ?? each.reduce((a, r) => (r.maxRelDiff > a.maxRelDiff ? r : a));
    return { ...worst, name: c.name, report: each.map((r) => r.report).join('\n') };
  } finally {
    for (const buf of [...Object.values(b), ...(c.owned ?? [])]) buf.destroy();
    ctx.forgetBindGroups();
  }
}
