// shaders/quant.wgsl's w_elem for every weight type vs the CPU decoders, on random valid blocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../helpers/gpu';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import type { GpuContext } from '../../src/gpu/context';
import { dequantForward } from '../../src/gpu/ops/dequant';
import { GPU_WEIGHT_TYPES, uploadWeight } from '../../src/gpu/ops/quant';
import { dequantForward as dequantReference } from '../../src/reference/dequant';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { compareArrays, describeComparison } from '../../src/util/compare';

const EXACT = { rel: 0, abs: 0 };

describe('dequant on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  for (const t of GPU_WEIGHT_TYPES) {
    it(`${GgmlType[t]} decodes exactly as the CPU`, async () => {
      const elements = BLOCK[t]!.elements * 7 + (BLOCK[t]!.elements === 1 ? 3 : 0);
      const bytes = randomTensorBytes(t, elements, t + 1);
      const w = uploadWeight(ctx.device, bytes, t, elements);
      const out = ctx.storage(elements * 4);
      const enc = ctx.device.createCommandEncoder();
      dequantForward(ctx, enc, out, w);
      await ctx.submit(enc);
      const got = await ctx.readF32(out, elements);
      const want = dequantReference(t, bytes, elements);
      const c = compareArrays(got, want, EXACT);
      expect(c.ok, describeComparison(GgmlType[t], c)).toBe(true);
      w.buffer.destroy();
      out.destroy();
    });
  }
});
