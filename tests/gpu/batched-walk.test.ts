// The batched layer walk (src/engine/batch-walk.ts) against the one-sample walk and the reference
// backend: samples of different lengths stacked into one GEMM, with odd widths (padding rows and
// aligned slices), GQA, Qwen2's biases; bit-identical to batch 1 where the linears sum each row
// alone (the simple kernels), within the f32 parity bar on the tiled ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext, countDispatches } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import { runReference } from '../../src/engine/run-reference';
import { estimateGpuMemory, planMemory } from '../../src/engine/memory';
import { batchStride, defaultBatch } from '../../src/engine/batch-plan';
import { expectParity, flat, request } from '../helpers/parity';
import type { FIXTURES } from '../../src/model/fixture';
import type { RunRequest } from '../../src/engine/types';

/** request() without its pairs: a run that walks in batches. */
function unpaired(V: number, lengths: number[][]): RunRequest {
  return { ...request(V, lengths, 'grad_x_weight'), pairs: [] };
}

/** The q4_0 fixture (4 layers) and two sets of 3 and 4 unpaired samples: the CPU-memory cases. */
async function twoSets(ctx: GpuContext) {
  const model = await uploadLlama(ctx, await fixtureFile('q4_0'));
  const req = unpaired(model.config.vocabSize, [
    [9, 4, 11],
    [6, 3, 8, 5],
  ]);
  return { model, req };
}

/** The reference's numbers, to the GPU parity bar. */
function expectMatchesReference(got: ReturnType<typeof flat>, ref: ReturnType<typeof flat>) {
  expect(got.argmax).toEqual(ref.argmax);
  expectParity('maxLogit', got.logits, ref.logits);
  expectParity('sumA, sumA2, maxA', got.sums, ref.sums);
  expectParity('density sumMeanA', got.sumMeanA, ref.sumMeanA);
  // a parameter whose set mean lies within f32 rounding of γ may count on either side of it (seen
  // once with the tiled linears: 5091 vs 5090): at most one per count, in at most 2 of them
  expectParity('density counts', got.counts, ref.counts, { rel: 1e-4, abs: 1 });
  expect(got.counts.filter((x, i) => x !== ref.counts[i]).length).toBeLessThanOrEqual(2);
  // not a comparison of empty results
  expect(new Set(got.counts).size).toBeGreaterThan(3);
  expect(got.sums.filter((x) => x > 0).length).toBeGreaterThan(got.sums.length / 2);
}

// whole fixture models on a software adapter, each run twice: ≈ 10–40 s a case, so 3× and more
describe('batched layer walk', { timeout: 300_000 }, () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  // 'folded': the tiled kernels with the score's batch fold (options.foldScore, off by default):
  // a batch straddling two sets folds each set's run of samples into its own sums
  const cases: [keyof typeof FIXTURES, number[][], number, 'app' | 'tiled' | 'folded'][] = [
    // odd widths (padding rows for aligned slices), two sets split across batches
    [
      'f32',
      [
        [5, 12, 1, 7],
        [9, 3, 20],
      ],
      3,
      'app',
    ],
    ['qwen2', [[7, 12, 3], [9]], 4, 'app'],
    [
      'q4_0',
      [
        [33, 3, 17],
        [9, 30],
      ],
      4,
      'tiled',
    ],
    [
      'f16',
      [
        [6, 21],
        [2, 5, 13],
      ],
      2,
      'tiled',
    ],
    [
      'q8_0',
      [
        [9, 4, 11],
        [6, 3],
      ],
      4,
      'folded',
    ],
  ];
  for (const [name, lengths, batch, kernels] of cases) {
    it(`${name} fixture, T ∈ {${lengths.flat().join(', ')}}, batches of ${batch}, ${kernels} kernels`, async () => {
      const kctx =
        kernels === 'app'
          ? ctx
          : new GpuContext(ctx.device, {
              tiledLinear: true,
              tiledScore: true,
              foldScore: kernels === 'folded',
            });
      const model = await uploadLlama(kctx, await fixtureFile(name));
      const req = unpaired(model.config.vocabSize, lengths);
      const one = await runGpu(kctx, model, req, { batch: 1 });
      const many = await runGpu(kctx, model, req, { batch });
      const ref = flat(await runReference(await fixtureWeights(name), req));
      expectMatchesReference(flat(many), ref);
      expectMatchesReference(flat(one), ref);
      if (kernels === 'app') expect(many).toEqual(one);
      else
        expectParity('batched vs one at a time', flat(many).sums, flat(one).sums, {
          rel: 2e-5,
          abs: 1e-12,
        });
      model.destroy();
    });
  }

  it('runs one GEMM per linear and one RoPE for a whole batch (fewer dispatches), and says so in its plan', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    const req = unpaired(model.config.vocabSize, [[4, 6, 8, 5]]);
    const linears = (batch: number) =>
      countDispatches(ctx, 'linear:', () => runGpu(ctx, model, req, { batch }));
    const [one, four] = [await linears(1), await linears(4)];
    expect(four.out).toEqual(one.out);
    // per sample: 7 forward + the head's, then per layer 6 recomputed + 7 backward-input; a
    // batch of 4 runs each of the layers' once (the head stays per sample)
    const L = model.config.blockCount;
    expect(one.n).toBe(4 * (7 * L + 1 + 13 * L));
    expect(four.n).toBe(7 * L + 4 + 13 * L);
    // RoPE on q and k: forward, recompute, backward per layer — once for a whole batch
    const ropes = (batch: number) =>
      countDispatches(ctx, 'rope:', () => runGpu(ctx, model, req, { batch }));
    const [rope1, rope4] = [await ropes(1), await ropes(4)];
    expect(rope4.out).toEqual(rope1.out);
    expect(rope1.n).toBe(4 * 6 * L);
    expect(rope4.n).toBe(6 * L);
    const est = (b: number) => estimateGpuMemory(model.config, model.bytes, req, 'gpu', false, b);
    expect(est(4).batch).toBe(4);
    expect(est(4).scratch).toBeGreaterThan(est(1).scratch);
    // pairs walk one sample at a time
    const paired = request(
      model.config.vocabSize,
      [
        [4, 6],
        [8, 5],
      ],
      'grad_x_weight',
    );
    expect(estimateGpuMemory(model.config, model.bytes, paired, 'gpu', false, 4).batch).toBe(1);
    model.destroy();
  });

  it('saved inputs in CPU memory walk in batches too (one GEMM per linear a batch), bit for bit', async () => {
    const { model, req } = await twoSets(ctx);
    const linears = (savedInputs: 'gpu' | 'cpu') =>
      countDispatches(ctx, 'linear:', () => runGpu(ctx, model, req, { batch: 4, savedInputs }));
    const [onGpu, onCpu] = [await linears('gpu'), await linears('cpu')];
    expect(onCpu.out).toEqual(onGpu.out);
    expect(flat(onCpu.out).sums.filter((x) => x > 0).length).toBeGreaterThan(0);
    // two batches (4 + 3 samples): each layer's linears once per batch, the head per sample
    const L = model.config.blockCount;
    expect(onCpu.n).toBe(onGpu.n);
    expect(onCpu.n).toBe(2 * (7 * L + 13 * L) + 7);
    // what the plan says of it: the GPU holds one layer's slices and a batch's forward rows
    const c = model.config;
    const cpu = estimateGpuMemory(c, model.bytes, req, 'cpu', false, 4);
    const gpu = estimateGpuMemory(c, model.bytes, req, 'gpu', false, 4);
    expect(cpu.batch).toBe(4);
    expect(cpu.cpuSavedInputs).toBe(gpu.savedInputs);
    model.destroy();
  });

  it('saved inputs in CPU memory, batched: a cancel in the forward or the walk ends the run (AbortError), the next run is whole', async () => {
    // 4 layers: a cancel at the first walked layer leaves three to go
    const { model, req } = await twoSets(ctx);
    const opts = { batch: 2, savedInputs: 'cpu' as const };
    const whole = await runGpu(ctx, model, req, opts);
    // in the forward, and once the walk's first layer (L − 1) has its density
    for (const stage of ['forward', 'density']) {
      const ac = new AbortController();
      const err = await runGpu(ctx, model, req, {
        ...opts,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.stage === stage) ac.abort();
        },
      }).catch((e: Error) => e);
      expect((err as Error).name, stage).toBe('AbortError');
      // the buffers given back to the pool serve the next run, which is whole
      expect(await runGpu(ctx, model, req, opts)).toEqual(whole);
    }
    model.destroy();
  });

  it('a budget too small for the default batch takes a smaller one, with the same results', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('f32'));
    const req = unpaired(model.config.vocabSize, [[9, 4, 11, 6, 3, 8]]);
    const c = model.config;
    const two = estimateGpuMemory(c, model.bytes, req, 'gpu', false, 2).total;
    const one = await runGpu(ctx, model, req, { batch: 1 });
    const auto = await runGpu(ctx, model, req, { gpuMemoryBudget: two });
    expect(auto).toEqual(one);
    const lengths = req.sets[0].samples.map((x) => x.tokens.length);
    const plan = planMemory(c, model.bytes, req, two);
    expect(defaultBatch(c, lengths)).toBe(6);
    expect(plan.batch).toBeGreaterThan(0);
    expect(plan.batch).toBeLessThan(6);
    expect(plan.total).toBeLessThanOrEqual(two);
    expect(plan.savedOn).toBe('gpu');
    // the stride keeps every sample's slice aligned in each stacked buffer
    const s = batchStride(c, 11);
    const widths = [c.embeddingLength, c.feedForwardLength, c.headCount, c.headCount * c.headDim];
    for (const w of widths) expect((s * w * 4) % 256).toBe(0);
    expect(s).toBeGreaterThanOrEqual(11);
    model.destroy();
  });
});
