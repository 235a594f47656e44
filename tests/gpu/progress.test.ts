// A run's progress, as the Run panel and the STS lab draw it: fractions never go back, the walk
// counts a step per sample pair and per sample no pair scores (so it ends at 100 %, not at the
// share of steps that pairs left out), and 'done' comes last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import type { Progress, RunRequest } from '../../src/engine/types';

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
});
