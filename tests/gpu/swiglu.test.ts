// shaders/swiglu.wgsl vs src/reference/swiglu.ts (cases: src/gpu/cases/swiglu.ts): forward and
// backward on lengths that are not multiples of the workgroup.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { swigluCases } from '../../src/gpu/cases/swiglu';

describe('swiglu on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases([...swigluCases(333), ...swigluCases(1, 5)], () => ctx);
});
