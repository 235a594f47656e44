// The GPU backend against the reference backend on whole fixture models of every type the writer
// makes (GQA, odd widths, T from 1 to 64): per-sample sums and max, max logit and its token,
// mean-first density counts and Σ mean, pair LLMDcos; and two GPU runs bit-identical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext, countDispatches } from '../helpers/gpu';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { gpuForwardLogits, runGpu } from '../../src/engine/run-gpu';
import { estimateGpuMemory } from '../../src/engine/memory';
import type { PartialRun } from '../../src/engine/types';
import { runReference } from '../../src/engine/run-reference';
import { expectParity, flat, request } from '../helpers/parity';
import { expectGolden } from '../helpers/golden';
import { FIXTURES } from '../../src/model/fixture';
import type { Metric } from '../../src/analysis/metrics';

// whole models on a software adapter: up to 125 s a case beside another file (the tiled q4_0
// case, its compiles), so 3× that
describe('GPU backend vs reference backend', { timeout: 420_000 }, () => {
  let ctx: GpuContext;
  // as the app runs on this adapter (on SwiftShader: the simple linears, the tiled score kernels)
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  // the last field: the kernels, when not the app's for this adapter: 'tiled' (what real GPUs
  // use) or 'simple' (the one-output-per-invocation score kernels too)
  const cases: [keyof typeof FIXTURES, Metric, number[][], ('tiled' | 'simple')?][] = [
    [
      'f32',
      'grad_x_weight',
      [
        [1, 5, 12],
        [7, 3, 20],
      ],
    ],
    [
      'f16',
      'grad_x_weight',
      [
        [9, 2],
        [4, 9],
      ],
    ],
    [
      'q8_0',
      'grad',
      [
        [6, 11],
        [8, 1],
      ],
      'simple',
    ],
    [
      'q4_0',
      'grad_x_weight',
      [
        [64, 3],
        [17, 30],
      ],
    ],
    [
      'f32',
      'wanda',
      [
        [4, 6],
        [5, 2],
      ],
    ],
    ['q8_0', 'magnitude', [[3], [5]]],
    [
      'q4_0',
      'grad_x_weight',
      [
        [33, 3],
        [17, 9],
      ],
      'tiled',
    ],
    [
      'f16',
      'wanda',
      [
        [5, 21],
        [6, 2],
      ],
      'tiled',
    ],
    [
      'qwen2',
      'grad_x_weight',
      [
        [7, 12],
        [3, 9],
      ],
    ],
    [
      'phi3',
      'grad_x_weight',
      [
        [10, 4],
        [6, 13],
      ],
      'tiled',
    ],
  ];
  for (const [name, metric, lengths, kernels] of cases) {
    it(`${name} fixture, ${metric}, T ∈ {${lengths.flat().join(', ')}}${kernels ? `, ${kernels} kernels` : ''}`, async () => {
      const kctx = !kernels
        ? ctx
        : new GpuContext(ctx.device, {
            tiledLinear: kernels === 'tiled',
            tiledScore: kernels === 'tiled',
          });
      const file = await fixtureFile(name);
      const model = await uploadLlama(kctx, file);
      const req = request(model.config.vocabSize, lengths, metric);
      const out = await runGpu(kctx, model, req);
      await expectGolden(
        'engine-gpu',
        `${name} ${metric} ${lengths.flat().join(',')} ${kernels ?? 'app'}`,
        out,
      );
      const gpu = flat(out);
      const ref = flat(await runReference(await fixtureWeights(name), req));
      expect(gpu.argmax).toEqual(ref.argmax);
      expectParity('maxLogit', gpu.logits, ref.logits);
      expectParity('sumA, sumA2, maxA', gpu.sums, ref.sums);
      expectParity('density sumMeanA', gpu.sumMeanA, ref.sumMeanA);
      expectParity('density counts', gpu.counts, ref.counts, { rel: 1e-4, abs: 0 });
      expectParity('llmdcos', gpu.cos, ref.cos);
      // the comparison is not between empty or trivial results
      expect(gpu.counts.some((c) => c > 0)).toBe(true);
      expect(new Set(gpu.counts).size).toBeGreaterThan(3);
      // |W| does not depend on the input, so two samples' magnitude vectors are identical
      if (metric === 'magnitude') expect(gpu.cos.every((x) => Math.abs(x - 1) < 1e-6)).toBe(true);
      else expect(gpu.cos.every((x) => x > 0 && x < 1)).toBe(true);
      expect(gpu.sums.filter((x) => x > 0).length).toBeGreaterThan(gpu.sums.length / 2);
      model.destroy();
    });
  }

  it('saved inputs in CPU memory give bit-identical results to saved inputs on the GPU', async () => {
    const file = await fixtureFile('q8_0');
    const model = await uploadLlama(ctx, file);
    const req = request(
      model.config.vocabSize,
      [
        [5, 9],
        [7, 3],
      ],
      'grad_x_weight',
    );
    const gpu = await runGpu(ctx, model, req, { savedInputs: 'gpu' });
    const cpu = await runGpu(ctx, model, req, { savedInputs: 'cpu' });
    expect(cpu).toEqual(gpu);
    await expectGolden('engine-gpu', 'q8_0 saved inputs on the CPU', cpu);
    // a budget the GPU mode exceeds picks the CPU mode by itself
    const onGpu = estimateGpuMemory(model.config, model.bytes, req, 'gpu').total;
    const onCpu = estimateGpuMemory(model.config, model.bytes, req, 'cpu').total;
    expect(onCpu).toBeLessThan(onGpu);
    const auto = await runGpu(ctx, model, req, { gpuMemoryBudget: onCpu });
    expect(auto).toEqual(gpu);
    await expect(runGpu(ctx, model, req, { gpuMemoryBudget: model.bytes })).rejects.toThrow(
      /budget/,
    );
    model.destroy();
  });

  it('keepActivations (one sample: no recompute in the walk) gives bit-identical results', async () => {
    for (const name of ['q4_0', 'f16'] as const) {
      const model = await uploadLlama(ctx, await fixtureFile(name));
      const one = request(model.config.vocabSize, [[11]], 'grad_x_weight');
      one.pairs = [];
      // count the linear forwards with the timestamp profiler: 7 per layer and the head, plus 6
      // per layer for the recompute (all but down) unless the activations are kept
      const linearForwards = (keepActivations: boolean) =>
        countDispatches(ctx, 'linear:linear_forward:', () =>
          runGpu(ctx, model, one, { keepActivations }),
        );
      const plain = await linearForwards(false);
      const kept = await linearForwards(true);
      expect(kept.out).toEqual(plain.out);
      await expectGolden('engine-gpu', `${name} keepActivations`, kept.out);
      const L = model.config.blockCount;
      expect(plain.n).toBe(13 * L + 1);
      expect(kept.n).toBe(7 * L + 1);
      const est = (keep: boolean) =>
        estimateGpuMemory(model.config, model.bytes, one, 'gpu', keep).scratch;
      expect(est(true)).toBeGreaterThan(est(false));
      model.destroy();
    }
  });

  // with pairs the walk goes one sample at a time; without, in one batch of the three samples
  it.each([
    ['with pairs', true],
    ['walked in batches', false],
  ])(
    'a cancelled run keeps every finished forward and layer (error.partial), %s',
    async (_, paired) => {
      const model = await uploadLlama(ctx, await fixtureFile('q4_0')); // 4 layers
      const req = request(model.config.vocabSize, [[5, 9], [7]], 'grad_x_weight');
      if (!paired) req.pairs = [];
      const full = await runGpu(ctx, model, req);
      const L = model.config.blockCount;
      const ac = new AbortController();
      let err: (Error & { partial?: PartialRun }) | null = null;
      try {
        await runGpu(ctx, model, req, {
          signal: ac.signal,
          // cancel once the last layer's density is in: that layer is finished, the others not
          onProgress: (p) => {
            if (p.stage === 'density' && p.layer === L - 1) ac.abort();
          },
        });
      } catch (e) {
        err = e as Error & { partial?: PartialRun };
      }
      expect(err?.name).toBe('AbortError');
      const part = err!.partial!;
      expect(part.forwardDone).toBe(true);
      // the last layer is done; the walk encodes one layer ahead, so L − 2 may be; no lower one
      expect(part.layersDone).toContain(L - 1);
      expect(part.layersDone.every((l) => l >= L - 2)).toBe(true);
      const samples = full.sets.flatMap((s) => s.samples);
      part.samples.forEach((x, i) => {
        expect(x.argmax).toBe(samples[i].argmax);
        expect(x.maxLogit).toBe(samples[i].maxLogit);
        for (const l of part.layersDone) expect(x.sumA[l]).toEqual(samples[i].sumA[l]);
      });
      model.destroy();
    },
  );

  it('two GPU runs are bit-identical', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q4_0'));
    const req = request(
      model.config.vocabSize,
      [
        [5, 9],
        [9, 4],
      ],
      'grad_x_weight',
    );
    const a = await runGpu(ctx, model, req);
    const b = await runGpu(ctx, model, req);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    // the engine's forward alone (the ONNX check's path): the last position's logits
    const tokens = req.sets[0].samples[1].tokens;
    await expectGolden('engine-gpu', 'q4_0 forward logits', [
      ...(await gpuForwardLogits(ctx, model, tokens)),
    ]);
    model.destroy();
  });
});
