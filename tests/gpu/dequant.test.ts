// shaders/dequant.wgsl — shaders/quant.wgsl's w_elem for every weight type — vs the CPU decoders
// (src/reference/dequant.ts; cases: src/gpu/cases/dequant.ts), exactly, on random valid blocks.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { GPU_WEIGHT_TYPES } from '../../src/gpu/ops/quant';
import { dequantCases } from '../../src/gpu/cases/dequant';

describe('dequant on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(GPU_WEIGHT_TYPES.flatMap(dequantCases), () => ctx);
});
