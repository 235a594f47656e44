// The app's engine self-check (src/gpu/checks/selfcheck.ts) on the app's kernels for this adapter: every
// case passes, and the cases cover every kernel entry point a whole-model run dispatches — so
// its claim, "every op the engine runs", stays true when the engine changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import { request } from '../helpers/parity';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import { runSelfCheck } from '../../src/gpu/checks/selfcheck';
import type { Metric } from '../../src/analysis/metrics';

/** The entry points `ctx` dispatches while `body` runs. */
async function entryPoints(ctx: GpuContext, body: () => Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>();
  const dispatch = ctx.dispatch.bind(ctx);
  ctx.dispatch = (enc, p, b, wg) => {
    seen.add(p.label.split(':')[1]);
    dispatch(enc, p, b, wg);
  };
  try {
    await body();
  } finally {
    ctx.dispatch = dispatch;
  }
  return seen;
}

describe('engine self-check', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  it('passes on every case and covers every kernel a run dispatches', async () => {
    let results: Awaited<ReturnType<typeof runSelfCheck>> = [];
    const checked = await entryPoints(ctx, async () => (results = await runSelfCheck(ctx)));
    for (const r of results) expect(r.ok, r.report).toBe(true);
    expect(results.length).toBeGreaterThanOrEqual(15);
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    // the metric the self-check scores with: the others run the same entry points
    const metric: Metric = 'grad_x_weight';
    const run = await entryPoints(ctx, () =>
      runGpu(ctx, model, request(model.config.vocabSize, [[5, 9], [7]], metric)),
    );
    model.destroy();
    expect(run.size).toBeGreaterThan(10);
    expect([...run].filter((e) => !checked.has(e))).toEqual([]);
  });
});
