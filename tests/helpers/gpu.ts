// One Dawn device per test file (tests/gpu). A missing adapter fails the test with a clear
// message; GPU tests never skip.
import { nodeGpu, NO_NODE_ADAPTER_HELP } from '../../src/gpu/runtime/node';
import { openGpu, type Gpu } from '../../src/gpu/runtime/device';
import { GpuContext, optionsFor } from '../../src/gpu/runtime/context';
import { GpuProfiler } from '../../src/gpu/runtime/profiler';
import { expect, it } from 'vitest';
import { checkOp, type OpCase } from '../../src/gpu/checks/opcheck';
import { F32_OP } from '../../src/util/tolerances';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { f32Scaled } from '../../src/util/tolerances';

let opened: Promise<Gpu> | undefined;

export function testGpu(): Promise<Gpu> {
  opened ??= (async () => {
    const gpu = await nodeGpu();
    try {
      return await openGpu(gpu);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${NO_NODE_ADAPTER_HELP}`);
    }
  })();
  return opened;
}

/** One GpuContext per test file, on the shared Dawn device. */
export async function testContext(): Promise<GpuContext> {
  const { device } = await testGpu();
  return new GpuContext(device);
}

/**
 * Uploads `inputs`, allocates `outputs` (f32 lengths, zero-filled unless given as arrays),
 * records `run` into one command buffer, and reads every output back.
 */
export async function runOnGpu(
  ctx: GpuContext,
  inputs: Record<string, Float32Array | Uint32Array>,
  outputs: Record<string, number | Float32Array>,
  run: (enc: GPUCommandEncoder, b: Record<string, GPUBuffer>) => void,
): Promise<Record<string, Float32Array>> {
  const b: Record<string, GPUBuffer> = {};
  for (const [k, v] of Object.entries(inputs)) b[k] = ctx.upload(v, k);
  for (const [k, v] of Object.entries(outputs)) {
    b[k] = typeof v === 'number' ? ctx.storage(v * 4, k) : ctx.upload(v, k);
  }
  const enc = ctx.device.createCommandEncoder();
  run(enc, b);
  await ctx.submit(enc);
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(outputs)) {
    out[k] = await ctx.readF32(b[k], typeof v === 'number' ? v : v.length);
  }
  for (const buf of Object.values(b)) buf.destroy();
  return out;
}

/** A GpuContext with the kernels the app picks for this adapter (on SwiftShader: the simple
 * linears, the tiled score kernels), on the shared Dawn device. */
export async function appContext(): Promise<GpuContext> {
  const gpu = await testGpu();
  return new GpuContext(gpu.device, optionsFor(gpu.summary));
}

/** `got` within f32 tolerance (relative `rel`, scaled to the values) of its twin's `want`. */
export function expectClose(
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rel?: number,
): void {
  const c = compareArrays(
    got,
    want,
    rel === undefined ? f32Scaled(want) : f32Scaled(want, rel, rel / 10),
  );
  expect(c.ok, describeComparison(name, c)).toBe(true);
}

/**
 * One test per op case, through the op harness (src/gpu/checks/opcheck.ts) on the context `context()`
 * gives when the test runs: every output of the case within `tol` of its twin's.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkCases(cases: OpCase<any>[], context: () => GpuContext, tol = F32_OP): void {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await checkOp(context(), c, tol);
      expect(r.ok, r.report).toBe(true);
      expect(r.count).toBeGreaterThan(0);
    });
  }
}

/**
 * Runs `body` with the timestamp profiler on `ctx`: its result, and how many dispatches it made of
 * kernels whose name starts with `prefix` (e.g. 'linear:linear_forward:').
 */
export async function countDispatches<T>(
  ctx: GpuContext,
  prefix: string,
  body: () => Promise<T>,
): Promise<{ out: T; n: number }> {
  ctx.profiler = new GpuProfiler(ctx.device);
  try {
    const out = await body();
    const n = ctx.profiler
      .table()
      .filter((r) => r.kernel.startsWith(prefix))
      .reduce((a, r) => a + r.dispatches, 0);
    return { out, n };
  } finally {
    ctx.profiler = null;
  }
}
