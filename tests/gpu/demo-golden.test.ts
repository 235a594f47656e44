// The GPU backend on the shipped demo model matches the trainer's f64 PyTorch autograd scores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { demoFile, golden, goldenPairs, GOLDEN_REL } from '../helpers/demo';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import { compareArrays, describeComparison } from '../../src/util/compare';

describe('demo model on the GPU', () => {
  let ctx: GpuContext;
  // as the app runs on this adapter (on SwiftShader: the simple linears, the tiled score kernels)
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  it('matches the golden PyTorch scores to 1e-3 (first golden sample)', async () => {
    const model = await uploadLlama(ctx, await demoFile());
    const g = golden.samples[0];
    const out = await runGpu(ctx, model, {
      sets: [{ name: 'golden', samples: [{ source: g.domain, tokens: g.tokens }] }],
      pairs: [],
      thresholds: [1e-4],
      metric: 'grad_x_weight',
      maxTokens: 256,
    });
    const r = out.sets[0].samples[0];
    expect(r.argmax).toBe(g.argmax);
    const { got, want } = goldenPairs(r, g);
    const c = compareArrays(got, want, { rel: GOLDEN_REL, abs: 0 });
    expect(c.ok, describeComparison('sumA/sumA2/maxA', c)).toBe(true);
    model.destroy();
  }, 450_000);
});
