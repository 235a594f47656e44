// A run's progress, as the Run panel and the STS lab draw it: fractions never go back, the walk
// counts a step per sample pair and per sample no pair scores (so it ends at 100 %, not at the
// share of steps that pairs left out), and 'done' comes last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import type { Progress, RunRequest } from '../../src/engine/types';
import { runIncremental, unitWork } from '../../src/engine/incremental';
import { memoryStore } from '../../src/cache/store';
import { demoFile } from '../helpers/demo';

describe('run progress', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  const sample = (k: number) => ({ source: `s${k}`, tokens: [1, 10 + k, 20 + k, 30] });
  const cases: [string, RunRequest['pairs']][] = [
    ['index pairing of two sets, a third set alone', [{ a: 'a', b: 'b' }]],
    [
      'explicit pairs sharing samples',
      [
        {
          a: 'a',
          b: 'a',
          index: [
            [0, 1],
            [0, 2],
            [1, 2],
          ],
        },
      ],
    ],
  ];
  it.each(cases)('%s: monotone, the walk ends at 1, done last', async (_, pairs) => {
    const model = await uploadLlama(ctx, await fixtureFile('f32'));
    const seen: Progress[] = [];
    try {
      await runGpu(
        ctx,
        model,
        {
          sets: [
            { name: 'a', samples: [sample(0), sample(1), sample(2)] },
            { name: 'b', samples: [sample(3), sample(4)] },
            { name: 'c', samples: [sample(5)] },
          ],
          pairs,
          thresholds: [1e-3],
          metric: 'grad_x_weight',
          maxTokens: 8,
        },
        { onProgress: (p) => seen.push(p) },
      );
    } finally {
      model.destroy();
    }
    const f = seen.map((p) => p.fraction);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1] - 1e-12);
    const walk = seen.filter((p) => p.stage === 'layer');
    expect(walk.at(-1)!.fraction).toBeCloseTo(1, 12);
    expect(seen.at(-1)!.stage).toBe('done');
  });

  // the demo model on this adapter, pipelines compiled by a first run (as after the app's
  // self-check): a pair of sets and a third set alone — two units of different sizes
  it('on the demo: the time left at half-way is within 25 % of the truth, across units', async () => {
    const model = await uploadLlama(ctx, await demoFile());
    const V = model.config.vocabSize;
    const texts = (k: number, n: number, T: number) =>
      Array.from({ length: n }, (_, i) => ({
        source: `s${k}.${i}`,
        tokens: [
          1,
          ...Array.from({ length: T - 1 }, (_, j) => 3 + ((k * 97 + i * 31 + j * 7) % (V - 3))),
        ],
      }));
    const req: RunRequest = {
      sets: [
        { name: 'a', samples: texts(0, 1, 12) },
        { name: 'b', samples: texts(1, 1, 12) },
        { name: 'c', samples: texts(2, 2, 8) },
      ],
      pairs: [{ a: 'a', b: 'b' }],
      thresholds: [1e-3],
      metric: 'grad_x_weight',
      maxTokens: 12,
    };
    try {
      await runGpu(ctx, model, {
        ...req,
        sets: [{ name: 'w', samples: texts(3, 1, 4) }],
        pairs: [],
      });
      const seen: { t: number; p: Progress }[] = [];
      const t0 = performance.now();
      await runIncremental(req, 'demo', memoryStore(), (u, o) => runGpu(ctx, model, u, o), {
        onProgress: (p) => seen.push({ t: (performance.now() - t0) / 1000, p }),
      });
      const total = (performance.now() - t0) / 1000;
      const f = seen.map((x) => x.p.fraction);
      for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1] - 1e-12);
      const timed = seen.filter((x) => x.p.etaSeconds !== undefined);
      const half = timed.reduce((a, b) =>
        Math.abs(b.t - total / 2) < Math.abs(a.t - total / 2) ? b : a,
      );
      const truth = total - half.t;
      expect(Math.abs(half.t - total / 2)).toBeLessThan(total * 0.15); // an estimate near half-way
      expect(
        Math.abs(half.p.etaSeconds! - truth),
        `ETA ${half.p.etaSeconds} s vs ${truth} s left`,
        // (the file runs alone, project gpu-timing in vite.config.ts: 11–15 % measured so)
      ).toBeLessThanOrEqual(0.25 * truth);
      // and the bar says about half then (time done over time done and left)
      expect(Math.abs(half.p.fraction - half.t / total)).toBeLessThan(0.2);
      console.log(
        `demo progress: ${total.toFixed(1)} s; at ${half.t.toFixed(1)} s the ETA was ${half.p.etaSeconds!.toFixed(1)} s (truth ${truth.toFixed(1)} s), the bar ${half.p.fraction.toFixed(2)}`,
      );
      // units are weighted by their work: the pair unit walks 2 × 12 tokens, the set 2 × 8
      expect([
        unitWork({ sets: req.sets.slice(0, 2), pairs: req.pairs }),
        unitWork({ sets: [req.sets[2]], pairs: [] }),
      ]).toEqual([24, 16]);
    } finally {
      model.destroy();
    }
  }, 200_000); // 51 s here (a warm-up run and two units on the demo model), about 4×
});
