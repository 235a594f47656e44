// Runs one op on both backends (WGSL on the GPU and its TypeScript twin) and compares every
// output. The one harness of the op tests (tests/gpu/<op>.test.ts, Dawn), the app's engine
// self-check (the browser's WebGPU) and `bench --check` (the f16 kernels on real GPUs).
import {
  compareArrays,
  describeComparison,
  type Comparison,
  type Tolerance,
} from '../../util/compare';
import type { GpuContext } from '../runtime/context';
import { uploadWeight, type GpuWeight } from '../ops/quant';
import type { GgmlType } from '../../gguf/types';

/** A weight matrix of a case, as GGUF bytes of its type (uploaded as the engine uploads them). */
export interface CaseWeight {
  bytes: Uint8Array;
  type: GgmlType;
  elements: number;
}

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
  /** weight matrices, uploaded raw (quantized) and given to `gpu` by name */
  weights?: Record<string, CaseWeight>;
  /** records the op; `b` holds every input and output buffer by name, `w` the weights */
  gpu(
    ctx: GpuContext,
    enc: GPUCommandEncoder,
    b: Record<string, GPUBuffer>,
    w: Record<string, GpuWeight>,
  ): void;
  /** what is compared of the outputs read back (e.g. per-workgroup partials summed) */
  readback?: (got: Record<string, Float32Array>) => Record<string, Float32Array>;
  /** the bar, when not the caller's: e.g. scaled to the values for sums of many products */
  tolerance?: (want: Float32Array) => Tolerance;
}

export interface OpCheckResult extends Comparison {
  name: string;
  report: string;
}

/**
 * Runs case `c` and compares each output its twin gives (over the twin's length: an output may
 * be longer, e.g. scratch sized for the largest kernel); one result, the worst output's.
 */
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
  const w: Record<string, GpuWeight> = {};
  for (const [k, v] of Object.entries(c.weights ?? {}))
    w[k] = uploadWeight(ctx.device, v.bytes, v.type, v.elements);
  const outputs = Object.keys(c.outputs);
  try {
    const enc = ctx.device.createCommandEncoder({ label: c.name });
    c.gpu(ctx, enc, b, w);
    const read = await ctx.submitAndRead(
      enc,
      outputs.map((k) => ({ buffer: b[k], count: b[k].size / 4 })),
    );
    const raw = Object.fromEntries(outputs.map((k, i) => [k, read[i]]));
    const got = c.readback ? c.readback(raw) : raw;
    const names = Object.keys(expected);
    const each = names.map((k) => {
      if (!got[k]) throw new Error(`${c.name}: no output ${k} to compare`);
      const g = got[k].subarray(0, expected[k].length);
      const cmp = compareArrays(g, expected[k], c.tolerance?.(expected[k]) ?? tol);
      return { ...cmp, report: describeComparison(`${c.name} ${k}`, cmp) };
    });
    const worst =
      each.find((r) => !r.ok) ?? each.reduce((a, r) => (r.maxRelDiff > a.maxRelDiff ? r : a));
    return { ...worst, name: c.name, report: each.map((r) => r.report).join('\n') };
  } finally {
    for (const buf of [...Object.values(b), ...Object.values(w).map((x) => x.buffer)])
      buf.destroy();
    ctx.forgetBindGroups();
  }
}
