// RoPE over a stack of sequences (src/reference/rope.ts `stride`: a batch's rows in one
// rotation, shaders/rope.wgsl's twin): each sequence rotated from position 0, exactly as alone,
// and the padding rows past a sequence rotated as the positions they sit at.
import { describe, expect, it } from 'vitest';
import { ropeBackward, ropeForward, ropePositions } from '../../src/reference/rope';
import { randomArray } from '../../src/util/random';

describe('RoPE on a stack of sequences', () => {
  const d = { heads: 3, headDim: 8, ropeDims: 6, base: 10000 };
  const [stride, n, W] = [5, 4, 3 * 8];
  it('rotates each stride-long slice as a sequence of its own, both ways', () => {
    for (const f of [ropeForward, ropeBackward]) {
      const x = randomArray(n * stride * W, 7);
      const stacked = Float64Array.from(x);
      f(stacked, { ...d, T: n * stride, stride });
      for (let b = 0; b < n; b++) {
        const alone = Float64Array.from(x.subarray(b * stride * W, (b + 1) * stride * W));
        f(alone, { ...d, T: stride });
        expect(Array.from(stacked.subarray(b * stride * W, (b + 1) * stride * W))).toEqual(
          Array.from(alone),
        );
      }
      // not the identity, and not one long sequence
      const long = Float64Array.from(x);
      f(long, { ...d, T: n * stride });
      expect(Array.from(stacked)).not.toEqual(Array.from(x));
      expect(Array.from(stacked.subarray(stride * W))).not.toEqual(
        Array.from(long.subarray(stride * W)),
      );
    }
    expect(ropePositions({ T: n * stride, stride })).toBe(stride);
    expect(ropePositions({ T: 7 })).toBe(7);
  });
});
