// shaders/f16_round.wgsl vs f16Round (src/reference/f16_round.ts; cases: src/gpu/cases/f16_round.ts):
// every half bit for bit, the count beyond F16's range exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCases, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { f16RoundCases } from '../../src/gpu/cases/f16_round';
import { f16Round } from '../../src/reference/f16_round';

describe('f16_round on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());
  checkCases([...f16RoundCases(20), ...f16RoundCases(4097, 7), ...f16RoundCases(1, 9)], () => ctx);

  it('has a twin that rounds ties to even and counts what F16 cannot hold', () => {
    const { words, beyond } = f16Round(Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520, NaN));
    expect([words[0] & 0xffff, words[0] >>> 16]).toEqual([0x3c00, 0x3c02]);
    expect(words[1] & 0xffff).toBe(0x7c00);
    expect(beyond).toBe(2);
  });
});
