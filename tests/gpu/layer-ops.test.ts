// Each layer op on the GPU vs its TypeScript twin, forward and backward, on sizes that are not
// multiples of the workgroup sizes: linear (every weight type), embedding, rmsnorm, rope,
// attention (GQA, T up to 64), swiglu, add, colnorm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnGpu, testContext } from '../helpers/gpu';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GpuContext } from '../../src/gpu/context';
import { GPU_WEIGHT_TYPES, uploadWeight } from '../../src/gpu/ops/quant';
import * as g from '../../src/gpu/ops/linear';
import { splitK } from '../../src/gpu/ops/linear';
import { embeddingForward } from '../../src/gpu/ops/embedding';
import * as gn from '../../src/gpu/ops/rmsnorm';
import * as gr from '../../src/gpu/ops/rope';
import * as ga from '../../src/gpu/ops/attention';
import * as gs from '../../src/gpu/ops/swiglu';
import * as gadd from '../../src/gpu/ops/add';
import { colnormForward } from '../../src/gpu/ops/colnorm';
import * as r from '../../src/reference/linear';
import { embeddingForward as embeddingRef } from '../../src/reference/embedding';
import * as rn from '../../src/reference/rmsnorm';
import * as rr from '../../src/reference/rope';
import * as ra from '../../src/reference/attention';
import * as rs from '../../src/reference/swiglu';
import * as radd from '../../src/reference/add';
import { colnormForward as colnormRef } from '../../src/reference/colnorm';
import { dequantize } from '../../src/gguf/dequant';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { f32Scaled } from '../../src/util/tolerances';

function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>) {
  const c = compareArrays(got, want, f32Scaled(want));
  expect(c.ok, describeComparison(name, c)).toBe(true);
}

describe('layer ops on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  // both kernels: the simple one (software adapters) on every type; the tiled one (real GPUs) on
  // every type too, with sizes that leave partial 64×64 tiles and 16-chunks, and (split) a few
  // tiles over a long reduction, which the tiled kernels split over K (split-K); 128 × 128 tiles
  // (tiled128, split128) likewise
  for (const kind of ['simple', 'tiled', 'split', 'tiled128', 'split128'] as const)
    for (const t of GPU_WEIGHT_TYPES) {
      it(`linear (${kind}) forward and backward_input over ${GgmlType[t]} weights`, async () => {
        const kctx = new GpuContext(ctx.device, {
          tiledLinear: kind !== 'simple',
          linearTile: kind.endsWith('128') ? 128 : 64,
        });
        const bl = BLOCK[t]!.elements;
        const d =
          kind === 'tiled'
            ? { T: 70, I: bl === 1 ? 45 : bl * 3, O: 67 }
            : kind === 'tiled128'
              ? { T: 130, I: bl === 1 ? 45 : bl * (bl === 256 ? 1 : 5), O: 133 }
              : kind.startsWith('split')
                ? { T: 5, I: bl === 256 ? 768 : 640, O: 600 }
                : { T: 5, I: bl === 1 ? 37 : bl * 2, O: 19 };
        if (kind.startsWith('split')) {
          const side = kind === 'split' ? 64 : 128;
          expect(splitK(d.T, d.O, d.I, undefined, side, side).splits).toBeGreaterThan(1);
          expect(splitK(d.T, d.I, d.O, undefined, side, side).splits).toBeGreaterThan(1);
        }
        const bytes = randomTensorBytes(t, d.O * d.I, 100 + t);
        const X = randomArray(d.T * d.I, 1);
        const dY = randomArray(d.T * d.O, 2);
        const W = uploadWeight(ctx.device, bytes, t, d.O * d.I);
        const out = await runOnGpu(ctx, { X, dY }, { Y: d.T * d.O, dX: d.T * d.I }, (enc, b) => {
          g.linearForward(kctx, enc, b.Y, b.X, W, d);
          g.linearBackwardInput(kctx, enc, b.dX, b.dY, W, d);
        });
        const Y = new Float32Array(d.T * d.O);
        const dX = new Float32Array(d.T * d.I);
        r.linearForward(Y, X, bytes, t, d);
        r.linearBackwardInput(dX, dY, bytes, t, d);
        expectClose('Y', out.Y, Y);
        expectClose('dX', out.dX, dX);
        W.buffer.destroy();
      });
    }

  it('embedding gathers rows of a quantized table', async () => {
    const C = 64;
    const V = 11;
    const bytes = randomTensorBytes(GgmlType.Q8_0, V * C, 5);
    const E = uploadWeight(ctx.device, bytes, GgmlType.Q8_0, V * C);
    const tokens = Uint32Array.from([3, 0, 10, 3, 7]);
    const out = await runOnGpu(ctx, { tokens }, { x: tokens.length * C }, (enc, b) =>
      embeddingForward(ctx, enc, b.x, b.tokens, E, tokens.length, C),
    );
    const x = new Float32Array(tokens.length * C);
    embeddingRef(x, tokens, dequantize(GgmlType.Q8_0, bytes, V * C), C);
    expectClose('x', out.x, x);
  });

  it('rmsnorm forward and backward (accumulating)', async () => {
    const T = 3;
    const C = 70;
    const x = randomArray(T * C, 7);
    const w = randomArray(C, 8);
    const dy = randomArray(T * C, 9);
    const dx0 = randomArray(T * C, 10);
    const out = await runOnGpu(
      ctx,
      { x, w, dy },
      { y: T * C, rstd: T, dx: dx0.slice() },
      (enc, b) => {
        gn.rmsnormForward(ctx, enc, b.y, b.rstd, b.x, b.w, T, C, 1e-5);
        gn.rmsnormBackward(ctx, enc, b.dx, b.dy, b.x, b.w, b.rstd, T, C);
      },
    );
    const y = new Float32Array(T * C);
    const rstd = new Float32Array(T);
    const dx = dx0.slice();
    rn.rmsnormForward(y, rstd, x, w, T, C, 1e-5);
    rn.rmsnormBackward(dx, dy, x, w, rstd, T, C);
    expectClose('y', out.y, y);
    expectClose('rstd', out.rstd, rstd);
    expectClose('dx', out.dx, dx);
  });

  it('rope forward and backward on adjacent pairs, partial rotation', async () => {
    const d = { T: 9, heads: 3, headDim: 10, ropeDims: 6, base: 10000 };
    const x = randomArray(d.T * d.heads * d.headDim, 11);
    const table = gr.ropeTableBuffer(ctx, d.T, d.ropeDims, d.base);
    const out = await runOnGpu(ctx, {}, { f: x.slice(), b: x.slice() }, (enc, b) => {
      gr.ropeForward(ctx, enc, b.f, table, d);
      gr.ropeBackward(ctx, enc, b.b, table, d);
    });
    const f = x.slice();
    const bw = x.slice();
    rr.ropeForward(f, d);
    rr.ropeBackward(bw, d);
    expectClose('forward', out.f, f);
    expectClose('backward', out.b, bw);
  });

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

  it('swiglu forward and backward, add and accumulate, colnorm', async () => {
    const n = 333;
    const gg = randomArray(n, 16, 3);
    const u = randomArray(n, 17);
    const dh = randomArray(n, 18);
    const acc0 = randomArray(n, 19);
    const out = await runOnGpu(
      ctx,
      { gg, u, dh },
      { h: n, dg: n, du: n, sum: n, acc: acc0.slice(), norms: 37 },
      (enc, b) => {
        gs.swigluForward(ctx, enc, b.h, b.gg, b.u, n);
        gs.swigluBackward(ctx, enc, b.dg, b.du, b.dh, b.gg, b.u, n);
        gadd.addForward(ctx, enc, b.sum, b.gg, b.u, n);
        gadd.addAccumulate(ctx, enc, b.acc, b.dh, n);
        colnormForward(ctx, enc, b.norms, b.gg, 9, 37);
      },
    );
    const h = new Float32Array(n);
    const dg = new Float32Array(n);
    const du = new Float32Array(n);
    const sum = new Float32Array(n);
    const acc = acc0.slice();
    rs.swigluForward(h, gg, u);
    rs.swigluBackward(dg, du, dh, gg, u);
    radd.addForward(sum, gg, u);
    radd.addAccumulate(acc, dh);
    expectClose('h', out.h, h);
    expectClose('dg', out.dg, dg);
    expectClose('du', out.du, du);
    expectClose('sum', out.sum, sum);
    expectClose('acc', out.acc, acc);
    expectClose('norms', out.norms, colnormRef(gg, 9, 37));
  });
});
