// A GPU run fails closed: weights destroyed under it (the model swapped mid-run), a lost device
// and a forced validation error each end the run with a named GpuRunError and no results; the
// incremental runner caches nothing of a failed unit. Then the same model runs clean again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import { request } from '../helpers/parity';
import { GpuContext, optionsFor } from '../../src/gpu/runtime/context';
import { uploadLlama, type GpuLlama } from '../../src/gpu/model';
import { runGpu } from '../../src/engine/run-gpu';
import { GpuRunError, withGpuErrors } from '../../src/gpu/runtime/errors';
import { nodeGpu } from '../../src/gpu/runtime/node';
import { openGpu } from '../../src/gpu/runtime/device';
import { runIncremental } from '../../src/engine/incremental';
import type { CacheStore } from '../../src/cache/store';

/** A cache in memory that records its writes. */
function memoryCache(): CacheStore & { writes: string[] } {
  const m = new Map<string, unknown>();
  const writes: string[] = [];
  return {
    writes,
    get: async (k: string) => m.get(k) as never,
    putMany: async (entries: [string, unknown][]) => {
      for (const [k, v] of entries) {
        m.set(k, v);
        writes.push(k);
      }
    },
  } as unknown as CacheStore & { writes: string[] };
}

describe('a failed GPU run returns nothing', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await appContext()));
  afterAll(() => ctx?.device.destroy());

  const req = (model: GpuLlama) =>
    request(
      model.config.vocabSize,
      [
        [5, 7],
        [6, 4],
      ],
      'grad_x_weight',
    );

  it('weights destroyed mid-run (a model loaded over it): a named validation error, no results', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    const cache = memoryCache();
    let destroyed = false;
    const run = runIncremental(req(model), 'model-key', cache, (unit, o) =>
      runGpu(ctx, model, unit, {
        ...o,
        onProgress: (p) => {
          // the first sample's forward is in: the weights go away under the rest of the run, as
          // when another model was loaded
          if (p.stage === 'forward' && !destroyed) {
            destroyed = true;
            model.destroy();
          }
        },
      }),
    );
    const err = await run.then(
      () => null,
      (e: Error) => e,
    );
    expect(destroyed).toBe(true);
    expect(err).toBeInstanceOf(GpuRunError);
    expect(err!.message).toMatch(/^the GPU run failed: WebGPU validation error: /);
    expect(err!.message).not.toContain('\n');
    expect(cache.writes).toEqual([]);
  });

  it('a validation error from any command in the scope fails it', async () => {
    const e = await withGpuErrors(ctx.device, 'the test step', async () => {
      // MAP_READ with STORAGE is not allowed: a validation error, reported asynchronously
      ctx.device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE,
      });
      return 1;
    }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(GpuRunError);
    expect((e as Error).message).toMatch(
      /^the test step failed: WebGPU (validation|out-of-memory) error/,
    );
    // and a clean scope returns its value
    await expect(withGpuErrors(ctx.device, 'clean', async () => 7)).resolves.toBe(7);
  });

  // with pairs the walk goes one sample at a time; without, in batches
  it.each([
    ['with pairs', true],
    ['walked in batches', false],
  ])('a device lost mid-run: a named error, no results, %s', async (_, paired) => {
    // a device of its own: this one is destroyed
    const own = await openGpu(await nodeGpu());
    const octx = new GpuContext(own.device, optionsFor(own.summary));
    const model = await uploadLlama(octx, await fixtureFile('q8_0'));
    let lost = false;
    const r = req(model);
    if (!paired) r.pairs = [];
    const err = await runGpu(octx, model, r, {
      onProgress: (p) => {
        if (p.stage === 'forward' && !lost) {
          lost = true;
          own.device.destroy();
        }
      },
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(lost).toBe(true);
    expect(err).toBeInstanceOf(GpuRunError);
    expect(err!.message).toMatch(/device was lost|WebGPU (validation|internal) error/);
  });

  it('after the failures, a fresh upload runs clean', async () => {
    const model = await uploadLlama(ctx, await fixtureFile('q8_0'));
    const out = await runGpu(ctx, model, req(model));
    expect(out.sets).toHaveLength(2);
    expect(out.sets[0].samples[0].sumA.flat().every((x) => x > 0)).toBe(true);
    model.destroy();
  });
});
