// shaders/embedding.wgsl vs src/reference/embedding.ts (cases: src/gpu/cases/embedding.ts): rows
// of a table gathered, f32 and quantized (32- and 256-element blocks), repeated ids.
import { afterAll, beforeAll, describe } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { embeddingCases } from '../../src/gpu/cases/embedding';
import { GgmlType } from '../../src/gguf/types';

describe('embedding on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(
    [
      ...embeddingCases(GgmlType.Q8_0, 11, 64, [3, 0, 10, 3, 7]),
      ...embeddingCases(GgmlType.F32, 7, 37, [6, 1]),
      ...embeddingCases(GgmlType.Q4_K, 5, 256, [4, 4, 0]),
    ],
    () => ctx,
  );
});
