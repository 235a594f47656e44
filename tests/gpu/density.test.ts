// shaders/density.wgsl vs its twin (src/reference/density.ts: the mean-first accumulator of
// src/analysis/density.ts): counts at each threshold, the histogram and Σ mean, over means below,
// inside and above the histogram's range and exact zeros.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import {
  densityCounters,
  densityFinish,
  densitySlots,
  unpackDensity,
} from '../../src/gpu/ops/density';
import { DensityReference } from '../../src/reference/density';
import { randomArray } from '../../src/util/random';

describe('density on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('density: mean-first counts, histogram and Σ mean', async () => {
    const n = 5000;
    const N = 3;
    // zeros, means below the histogram (< 1e-20) and above it (≥ 1e4) among the rest
    const sums = Float32Array.from(randomArray(n, 9), (x, i) =>
      i % 50 === 0 ? 0 : i % 97 === 1 ? 3e-25 : i % 89 === 2 ? 3e6 : Math.abs(x) ** 6 * 1e-3,
    );
    const thresholds = Float32Array.from([1e-7, 1e-5, 1e-4]);
    const K = thresholds.length;
    const counts = new Uint32Array(densityCounters(K));
    const b = {
      counts: ctx.upload(counts),
      partials: ctx.storage(densitySlots(n) * 4),
      acc: ctx.upload(sums),
      thr: ctx.upload(thresholds),
    };
    const enc = ctx.device.createCommandEncoder();
    densityFinish(ctx, enc, b.counts, b.partials, b.acc, b.thr, n, N, K);
    await ctx.submit(enc);
    const got = unpackDensity(
      new Uint32Array((await ctx.readF32(b.counts, counts.length)).buffer),
      K,
    );
    const part = await ctx.readF32(b.partials, densitySlots(n));
    const acc = new DensityReference(n);
    acc.sum.set(sums);
    acc.samples = N;
    const want = acc.finish(Array.from(thresholds));
    expect(got.counts).toEqual(want.counts);
    expect(got.hist.zeros).toBe(want.hist.zeros);
    expect(got.hist.under).toBe(want.hist.under);
    expect(got.hist.over).toBe(want.hist.over);
    expect(want.hist.under).toBeGreaterThan(40);
    expect(want.hist.over).toBeGreaterThan(40);
    const binDiff = got.hist.bins.reduce((s, x, i) => s + Math.abs(x - want.hist.bins[i]), 0);
    expect(binDiff, 'values moved across bin edges by f32 log10').toBeLessThanOrEqual(4);
    expect(
      got.hist.bins.reduce((s, x) => s + x, 0) + got.hist.under + got.hist.over + got.hist.zeros,
    ).toBe(n);
    const sumMean = part.reduce((s, x) => s + x, 0);
    expect(Math.abs(sumMean - want.sumMeanA) / want.sumMeanA).toBeLessThan(1e-5);
    Object.values(b).forEach((x) => x.destroy());
  });
});
