// shaders/attention.wgsl vs src/reference/attention.ts: causal attention with GQA, forward and
// backward, through the three kernel families (simple, workgroup-per-row, 16-row blocks).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClose, runOnGpu, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/context';
import * as ga from '../../src/gpu/ops/attention';
import * as ra from '../../src/reference/attention';
import { randomArray } from '../../src/util/random';

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
    it(`attention forward and backward, T=${d.T} H=${d.H} Hkv=${d.Hkv} Dh=${d.Dh} (${kind} kernels)`, async () => {
      const kctx = new GpuContext(ctx.device, {
        tiledLinear: kind !== 'simple',
        blockAttention: kind === 'blk',
      });
      const q = randomArray(d.T * d.H * d.Dh, 12);
      const k = randomArray(d.T * d.Hkv * d.Dh, 13);
      const v = randomArray(d.T * d.Hkv * d.Dh, 14);
      const dout = randomArray(d.T * d.H * d.Dh, 15);
      const nq = d.T * d.H * d.Dh;
      const nk = d.T * d.Hkv * d.Dh;
      const out = await runOnGpu(
        ctx,
        { q, k, v, dout },
        { att: nq, lse: d.H * d.T, delta: d.H * d.T, dq: nq, dk: nk, dv: nk },
        (enc, b) => {
          ga.attentionForward(kctx, enc, b.att, b.lse, b.q, b.k, b.v, d);
          ga.attentionBackward(
            kctx,
            enc,
            b.dq,
            b.dk,
            b.dv,
            b.delta,
            b.dout,
            b.q,
            b.k,
            b.v,
            b.att,
            b.lse,
            d,
          );
        },
      );
      const att = new Float32Array(nq);
      const probs = new Float32Array(d.H * d.T * d.T);
      ra.attentionForward(att, probs, q, k, v, d);
      const dq = new Float32Array(nq);
      const dk = new Float32Array(nk);
      const dv = new Float32Array(nk);
      ra.attentionBackward(dq, dk, dv, dout, q, k, v, probs, d);
      expectClose('out', out.att, att);
      expectClose('dq', out.dq, dq);
      expectClose('dk', out.dk, dk);
      expectClose('dv', out.dv, dv);
    });
  }
});
