// shaders/add.wgsl vs src/reference/add.ts (cases: src/gpu/cases/add.ts): on lengths that are not
// multiples of the workgroup; the bias on rows whose width does not divide it.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { addBiasCase, addCases } from '../../src/gpu/cases/add';

describe('add on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(
    [...addCases(333), ...addCases(1, 5), addBiasCase(7, 45), addBiasCase(1, 1)],
    () => ctx,
  );
});
