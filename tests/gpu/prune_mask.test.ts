// shaders/prune_mask.wgsl vs src/reference/prune_mask.ts (cases: src/gpu/cases/prune_mask.ts):
// the pruned entries bit for bit — Q4_0 rows full of ties, weights already 0, widths off the
// workgroup and word multiples, k = 0 and k = I, each metric mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { PRUNE_MASK_CASES, pruneMaskCases } from '../../src/gpu/cases/prune_mask';
import { nmMask, pcg, pruneKeys, rowMask } from '../../src/reference/prune_mask';

describe('prune_mask on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases(PRUNE_MASK_CASES.flatMap(pruneMaskCases), () => ctx);
});

describe('the prune_mask twin', () => {
  it('prunes the k smallest of each row, ties to the lower column, zeros first', () => {
    const metric = [3, 1, 1, 0, 2, /* row 2 */ 5, 5, 5, 5, 5];
    expect([...rowMask(metric, 2, 5, 2)]).toEqual([0, 1, 0, 1, 0, 1, 1, 0, 0, 0]);
    expect([...rowMask(metric, 2, 5, 3)]).toEqual([0, 1, 1, 1, 0, 1, 1, 1, 0, 0]);
  });
  it('N:M: the n smallest of every m consecutive entries, ties to the lower column', () => {
    // groups of 4: (3 1 1 0) → cols 3, 1; (2 5 5 5) → 0, 1; a row of 8 = two groups
    const metric = [3, 1, 1, 0, 2, 5, 5, 5];
    expect([...nmMask(metric, 1, 8, 2, 4)]).toEqual([0, 1, 0, 1, 1, 1, 0, 0]);
    expect([...nmMask(metric, 2, 4, 2, 4)]).toEqual([0, 1, 0, 1, 1, 1, 0, 0]);
    // 4:8 of the same: the four smallest of the eight
    expect([...nmMask(metric, 1, 8, 4, 8)]).toEqual([0, 1, 1, 1, 1, 0, 0, 0]);
    expect(() => nmMask(metric, 1, 8, 2, 3)).toThrow(/multiple of 3/);
  });
  it('forms the random metric from the hash, 0 where W = 0', () => {
    const keys = pruneKeys('random', [1, 0, -2, 3], 4, { seed: 5 });
    expect(keys[1]).toBe(0);
    for (const e of [0, 2, 3]) {
      expect(keys[e]).toBeGreaterThan(0);
      expect(keys[e]).toBeLessThanOrEqual(1);
    }
    // PCG (O'Neill's RXS-M-XS 32) of 0 and 1, as any u32 implementation gives them
    expect([pcg(0), pcg(1)]).toEqual([129708002, 2831084092]);
  });
});
