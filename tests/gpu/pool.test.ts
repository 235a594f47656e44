// The run buffer pool (src/gpu/runtime/pool.ts): a finished run's buffers kept by size for the next
// run. A reused buffer must read as a new one (zero), a run must never hold more than it asked for
// (the first miss destroys what waits), a cancelled or failed run's buffers serve the next run, and
// a big allocation of another flow frees the pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import { request } from '../helpers/parity';
import { POOL_TRIM_BYTES, type GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import type { RunRequest } from '../../src/engine/types';

/** A request of sets with these sample lengths and no pairs (a run that walks in batches). */
const unpaired = (V: number, lengths: number[][]): RunRequest => ({
  ...request(V, lengths, 'grad_x_weight'),
  pairs: [],
});

describe('the run buffer pool', { timeout: 300_000 }, () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  it('hands a buffer back zeroed, and a miss frees what waits', async () => {
    const pool = ctx.pool;
    pool.trim();
    const a = pool.take(64 * 4, 'a');
    const b = pool.take(32 * 4, 'b');
    ctx.device.queue.writeBuffer(a, 0, new Float32Array(64).fill(7));
    ctx.device.queue.writeBuffer(b, 0, new Float32Array(32).fill(3));
    expect(await ctx.readF32(a, 64)).toEqual(new Float32Array(64).fill(7));
    pool.giveBack([a, b]);
    expect(pool.bytes).toBe(96 * 4);
    const again = pool.take(64 * 4, 'a again');
    expect(again).toBe(a); // the same size: the same buffer
    pool.flush();
    expect(await ctx.readF32(again, 64)).toEqual(new Float32Array(64)); // cleared
    expect(pool.bytes).toBe(32 * 4); // b waits
    const other = pool.take(100 * 4, 'no such size');
    expect(other).not.toBe(b);
    expect(pool.bytes).toBe(0); // the miss destroyed b
    pool.giveBack([again, other]);
    // a big storage buffer (another flow: perplexity, pruning) frees the pool first
    const big = ctx.storage(POOL_TRIM_BYTES, 'big');
    expect(pool.bytes).toBe(0);
    big.destroy();
  });

  it('the next run of a shape takes the last run’s buffers and gives the same numbers; another shape runs right', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    const V = model.config.vocabSize;
    const req = (lengths: number[][]) => unpaired(V, lengths);
    const shape = req([
      [5, 9, 4],
      [7, 6],
    ]);
    ctx.pool.trim();
    const first = await runGpu(ctx, model, shape, { batch: 2 });
    const kept = ctx.pool.bytes;
    expect(kept).toBeGreaterThan(0);
    const before = { ...ctx.pool.stats };
    const second = await runGpu(ctx, model, shape, { batch: 2 });
    expect(ctx.pool.stats.created).toBe(before.created); // every run buffer reused
    expect(ctx.pool.stats.reused - before.reused).toBeGreaterThan(20);
    expect(second).toEqual(first);
    expect(ctx.pool.bytes).toBe(kept);
    // the density counters, the set sums and the partials are accumulated into: a reused buffer
    // that kept its numbers would double them, so a run of a third shape and then the first again
    const paired = request(
      V,
      [
        [4, 6],
        [8, 5],
      ],
      'grad_x_weight',
    );
    const pairedFresh = await runGpu(ctx, model, paired, {});
    await runGpu(ctx, model, shape, { batch: 2 });
    expect(await runGpu(ctx, model, paired, {})).toEqual(pairedFresh);
    expect(await runGpu(ctx, model, shape, { batch: 2 })).toEqual(first);
    model.destroy();
  });

  it('a run of other lengths takes the set sums (allocated first) before its first miss', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    const V = model.config.vocabSize;
    const req = (lengths: number[][]) => unpaired(V, lengths);
    const [a, b] = [
      req([
        [5, 9, 4],
        [7, 6],
      ]),
      req([
        [40, 3],
        [4, 11, 2],
      ]),
    ];
    ctx.pool.trim();
    await runGpu(ctx, model, a, { batch: 2 });
    const before = { ...ctx.pool.stats };
    const got = await runGpu(ctx, model, b, { batch: 2 });
    expect(ctx.pool.stats.created).toBeGreaterThan(before.created); // longer rows: some misses
    // two sets' sums, the density counters and partials: 7 matrices each
    expect(ctx.pool.stats.reused - before.reused).toBeGreaterThanOrEqual(4 * 7);
    ctx.pool.trim();
    expect(got).toEqual(await runGpu(ctx, model, b, { batch: 2 }));
    model.destroy();
  });

  it('a cancelled run gives its buffers back and the next run is whole', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q4_0'));
    const shape = unpaired(model.config.vocabSize, [[6, 5], [9]]);
    const want = await runGpu(ctx, model, shape, { batch: 2 });
    const abort = new AbortController();
    const cancelled = await runGpu(ctx, model, shape, {
      batch: 2,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.stage === 'forward') abort.abort();
      },
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(cancelled).toBeInstanceOf(Error);
    expect(await runGpu(ctx, model, shape, { batch: 2 })).toEqual(want);
    model.destroy();
  });
});
