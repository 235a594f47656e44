// shaders/rope.wgsl vs src/reference/rope.ts (cases: src/gpu/cases/rope.ts): adjacent pairs
// (2i, 2i+1), whole and partial rotation, a stack of sequences.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { ropeCases } from '../../src/gpu/cases/rope';

describe('rope on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(
    [
      ...ropeCases({ T: 9, heads: 3, headDim: 10, ropeDims: 6, base: 10000 }, 11),
      ...ropeCases({ T: 5, heads: 2, headDim: 16, ropeDims: 16, base: 500000 }, 12),
      // a batch: 3 sequences 7 rows apart, each from position 0
      ...ropeCases({ T: 21, heads: 2, headDim: 8, ropeDims: 8, base: 10000, stride: 7 }, 13),
    ],
    () => ctx,
  );
});
