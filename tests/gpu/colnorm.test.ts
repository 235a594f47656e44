// shaders/colnorm.wgsl vs src/reference/colnorm.ts (cases: src/gpu/cases/colnorm.ts): Wanda's
// column norms, one row and many, widths off the workgroup multiples.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { colnormCases } from '../../src/gpu/cases/colnorm';

describe('colnorm on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases([...colnormCases(9, 37), ...colnormCases(1, 300, 4)], () => ctx);
});
