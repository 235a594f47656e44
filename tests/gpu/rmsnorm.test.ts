// shaders/rmsnorm.wgsl vs src/reference/rmsnorm.ts (cases: src/gpu/cases/rmsnorm.ts): forward
// and the accumulating backward, on widths that are not multiples of the workgroup.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { rmsnormCases } from '../../src/gpu/cases/rmsnorm';

describe('rmsnorm on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases([...rmsnormCases(3, 70, 7), ...rmsnormCases(1, 300, 11, 1e-6)], () => ctx);
});
