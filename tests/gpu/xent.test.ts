// shaders/xent.wgsl vs src/reference/xent.ts (cases: src/gpu/cases/xent.ts): the cross-entropy
// over vocabularies below, at and above the workgroup width, and with large logits.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { xentCases } from '../../src/gpu/cases/xent';

describe('cross-entropy on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(
    [...xentCases(3, 100, 1), ...xentCases(2, 256, 2), ...xentCases(5, 1000, 3, 80)],
    () => ctx,
  );
});
