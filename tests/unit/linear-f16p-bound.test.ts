// The error bound of shaders/linear_f16p.wgsl's packed f16 runs (linearF16PackedBound in
// src/reference/linear.ts), held against an emulation of the kernel's arithmetic in f16 (every
// product and every sum rounded to f16, unfused: the bound's worst case) on operands from large to
// below f16's normal range: each output within the bound of the exact sum of the same f16
// operands, and the bound a small fraction of Σ|p| (it says something).
import { describe, expect, it } from 'vitest';
import { F16_RUN, linearF16PackedBound, roundF16 } from '../../src/reference/linear';
import { randomArray } from '../../src/util/random';

/** Σ a_k b_k as the kernel forms it: runs of F16_RUN in f16 (unfused), the runs added exactly. */
function packedDot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let k0 = 0; k0 < a.length; k0 += F16_RUN) {
    let run = 0;
    for (let k = k0; k < Math.min(a.length, k0 + F16_RUN); k++)
      run = roundF16(run + roundF16(a[k] * b[k]));
    total += run;
  }
  return total;
}

describe('the packed f16 runs', () => {
  for (const [label, sa, sb] of [
    ['activations × weights', 1, 0.02],
    ['large activations', 300, 0.05],
    ['small operands (products below f16 normals)', 1e-3, 1e-3],
  ] as const)
    it(`stay within linearF16PackedBound: ${label}`, () => {
      const K = 4096;
      let worst = 0;
      for (let o = 0; o < 64; o++) {
        const a = randomArray(K, 10 + o).map((x) => roundF16(x * sa));
        const b = randomArray(K, 500 + o).map((x) => roundF16(x * sb));
        const A = Float64Array.from(a);
        const B = Float64Array.from(b);
        let exact = 0;
        let absSum = 0;
        for (let k = 0; k < K; k++) {
          exact += A[k] * B[k];
          absSum += Math.abs(A[k] * B[k]);
        }
        const bound = linearF16PackedBound(absSum, K);
        const err = Math.abs(packedDot(A, B) - exact);
        expect(err).toBeLessThanOrEqual(bound);
        expect(bound).toBeLessThan(0.05 * absSum + K * 2 ** -24);
        worst = Math.max(worst, err / bound);
      }
      // the emulated runs use a real part of the bound (it is not loose by orders of magnitude)
      expect(worst).toBeGreaterThan(1e-3);
    });
});
