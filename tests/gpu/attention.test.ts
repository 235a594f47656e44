// shaders/attention.wgsl vs src/reference/attention.ts (cases: src/gpu/cases/attention.ts): causal attention with GQA, forward and
// backward, through the three kernel families (simple, workgroup-per-row, 16-row blocks).
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/runtime/context';
import { attentionCases, attentionStackedCases } from '../../src/gpu/cases/attention';

describe('attention on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  // the *_wg kernels (real GPUs) take keys in blocks of 32 and dims e = i + 32r: T = 70 crosses
  // two block edges, Dh = 40 and 136 leave invocations with 2 and 5 dims. The *_blk kernels (real
  // GPUs, Dh a multiple of 16 up to 128) take 16 queries or keys against chunks of 16: T = 1, 16,
  // 33 and 70 give one partial, one whole, and several blocks with a partial last one; Dh = 16
  // and 128 give 1 and 8 dims per invocation. Dh = 48 also through the *_wg kernels.
  for (const [d, kind] of [
    [{ T: 1, H: 4, Hkv: 2, Dh: 6 }, 'simple'],
    [{ T: 13, H: 4, Hkv: 1, Dh: 16 }, 'simple'],
    [{ T: 64, H: 2, Hkv: 2, Dh: 8 }, 'simple'],
    [{ T: 1, H: 4, Hkv: 2, Dh: 6 }, 'wg'],
    [{ T: 70, H: 4, Hkv: 2, Dh: 40 }, 'wg'],
    [{ T: 33, H: 2, Hkv: 1, Dh: 136 }, 'wg'],
    [{ T: 70, H: 4, Hkv: 2, Dh: 48 }, 'wg'],
    [{ T: 1, H: 4, Hkv: 2, Dh: 16 }, 'blk'],
    [{ T: 16, H: 2, Hkv: 2, Dh: 32 }, 'blk'],
    [{ T: 70, H: 4, Hkv: 2, Dh: 48 }, 'blk'],
    [{ T: 33, H: 2, Hkv: 1, Dh: 128 }, 'blk'],
  ] as const) {
    describe(`${kind} kernels`, () => {
      let kctx: GpuContext;
      beforeAll(() => {
        kctx = new GpuContext(ctx.device, {
          tiledLinear: kind !== 'simple',
          blockAttention: kind === 'blk',
        });
      });
      checkCases(attentionCases(d, 12), () => kctx);
    });
  }

  // a batch's sequences in one dispatch of the block kernels (grid z): lengths under, at and past
  // the 16-row block, one shorter than the longest by whole blocks (its workgroups return early)
  describe('blk kernels, a batch stacked', () => {
    let kctx: GpuContext;
    beforeAll(() => (kctx = new GpuContext(ctx.device, { tiledLinear: true })));
    checkCases(attentionStackedCases({ H: 4, Hkv: 2, Dh: 32 }, [33, 5, 16, 1], 40, 21), () => kctx);
  });
});
