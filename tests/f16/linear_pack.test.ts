// The direct matrix linears' operand packing (shaders/linear_pack.wgsl) vs its twin
// (src/reference/linear_pack.ts): activations and gradients times the scale, weights of every
// block size decoded, all rounded to f16 and zero-padded — every half of the padded matrix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f16Gpu } from '../helpers/f16';
import { GpuContext } from '../../src/gpu/runtime/context';
import { packRows, packWeight } from '../../src/gpu/ops/linear_pack';
import { uploadWeight } from '../../src/gpu/ops/quant';
import * as ref from '../../src/reference/linear_pack';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { f16ToF32 } from '../../src/gguf/half';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';

describe('packing the direct linears’ operands to f16', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = new GpuContext((await f16Gpu()).device, { f16: true });
  });
  afterAll(() => ctx?.device.destroy());

  /** The packed halves of `dst` as numbers. */
  async function halves(dst: GPUBuffer, n: number): Promise<number[]> {
    const words = await ctx.readF32(dst, n / 2);
    return Array.from(new Uint16Array(words.buffer, words.byteOffset, n), f16ToF32);
  }

  it('rows: scaled, rounded, zero-padded (ragged rows and columns, the gradient scale)', async () => {
    for (const [rows, cols, prows, pcols, scale] of [
      [37, 45, 128, 256, 1],
      [5, 640, 128, 768, 1024],
      [128, 256, 128, 256, 1],
    ]) {
      const src = randomArray(rows * cols, rows).map((v, i) => (i % 7 === 0 ? v * 1e-5 : v));
      const a = ctx.upload(src);
      const dst = ctx.storage(prows * pcols * 2);
      // garbage first: every half must be written
      ctx.device.queue.writeBuffer(dst, 0, new Float32Array((prows * pcols) / 2).fill(NaN));
      const enc = ctx.device.createCommandEncoder();
      packRows(ctx, enc, dst, a, rows, cols, prows, pcols, scale);
      await ctx.submit(enc);
      const got = await halves(dst, prows * pcols);
      const want = Array.from(ref.packRows(src, rows, cols, prows, pcols, scale));
      expect(got, `${rows}×${cols} → ${prows}×${pcols}`).toEqual(want);
      [a, dst].forEach((b) => b.destroy());
    }
  });

  for (const t of [GgmlType.F32, GgmlType.F16, GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K])
    it(`weights: ${GgmlType[t]} decoded, rounded, zero-padded`, async () => {
      const bl = BLOCK[t]!.elements;
      const [O, I] = [67, bl === 1 ? 45 : bl * 3];
      const [Op, Ip] = [256, Math.ceil(I / 256) * 256];
      const bytes = randomTensorBytes(t, O * I, 5, 0.02);
      const W = uploadWeight(ctx.device, bytes, t, O * I);
      const dst = ctx.storage(Op * Ip * 2);
      ctx.device.queue.writeBuffer(dst, 0, new Float32Array((Op * Ip) / 2).fill(NaN));
      const enc = ctx.device.createCommandEncoder();
      packWeight(ctx, enc, dst, W, O, I, Op, Ip);
      await ctx.submit(enc);
      const got = await halves(dst, Op * Ip);
      expect(got).toEqual(Array.from(ref.packWeight(bytes, t, O, I, Op, Ip)));
      [W.buffer, dst].forEach((b) => b.destroy());
    });

  it('refuses a padding that does not hold the matrix', () => {
    const enc = ctx.device.createCommandEncoder();
    const b = ctx.storage(64);
    expect(() => packRows(ctx, enc, b, b, 4, 20, 4, 20)).toThrow(/padding/);
    expect(() => packRows(ctx, enc, b, b, 4, 20, 2, 24)).toThrow(/padding/);
    b.destroy();
  });
});
