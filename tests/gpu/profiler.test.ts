// The timestamp profiler (src/gpu/runtime/profiler.ts) that `npm run bench -- --profile` reads: per
// kernel totals, and the longest submit's GPU time (the bar browsers' watchdogs set).
import { describe, expect, it } from 'vitest';
import { testContext } from '../helpers/gpu';
import { GpuProfiler } from '../../src/gpu/runtime/profiler';
import { addForward } from '../../src/gpu/ops/add';

describe('GpuProfiler', () => {
  it('spans each submit from its first pass to its last and keeps the longest', async () => {
    const ctx = await testContext();
    const n = 1 << 20;
    const [a, b, out] = [0, 1, 2].map(() => ctx.storage(n * 4));
    ctx.profiler = new GpuProfiler(ctx.device);
    const total = () => [...ctx.profiler!.totals.values()].reduce((s, [, ns]) => s + ns, 0);
    const perSubmit: number[] = [];
    for (const dispatches of [1, 6, 2]) {
      const before = total();
      const enc = ctx.device.createCommandEncoder();
      for (let i = 0; i < dispatches; i++) addForward(ctx, enc, out, a, b, n);
      await ctx.submit(enc);
      perSubmit.push(total() - before);
    }
    const p = ctx.profiler;
    ctx.profiler = null;
    expect(p.table()[0].dispatches).toBe(9);
    expect(perSubmit.every((ns) => ns > 0)).toBe(true);
    // passes in one submit run one after another: the span covers their sum, and the longest
    // submit is the six-dispatch one (at least its kernels' time, less than all three submits')
    expect(p.longestSubmitNs).toBeGreaterThanOrEqual(Math.max(...perSubmit) * 0.999);
    expect(p.longestSubmitNs).toBeGreaterThanOrEqual(perSubmit[1] * 0.999);
    expect(p.truncated).toBe(false);
    [a, b, out].forEach((x) => x.destroy());
  });
});
