// shaders/prune_zero.wgsl vs zeroMasked (src/prune/zero.ts; cases: src/gpu/cases/prune_zero.ts):
// exact zeros written in place in each type's own bytes, every other byte unchanged.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { PRUNE_ZERO_TYPES, pruneZeroCases } from '../../src/gpu/cases/prune_zero';

describe('prune_zero on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(
    PRUNE_ZERO_TYPES.flatMap(([t, n]) => pruneZeroCases(t, n)),
    () => ctx,
  );
});
