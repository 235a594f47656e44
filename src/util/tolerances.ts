import type { Tolerance } from './compare';

/** GPU f32 vs the f32 reference (f64 accumulation): dot products of length ≤ a few thousand. */
export const F32_OP: Tolerance = { rel: 1e-4, abs: 1e-6 };
/** Finite differences in f64 (central, step 1e-6 relative) vs analytic gradients. */
export const F64_FD: Tolerance = { rel: 1e-6, abs: 1e-9 };

/**
 * GPU f32 vs the reference where values come from sums with cancellation (dot products, the
 * backward passes): relative 1e-4 plus an absolute floor of 1e-5 of the largest |expected|.
 */
export function f32Scaled(expected: ArrayLike<number>, rel = 1e-4, absFraction = 1e-5): Tolerance {
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i]));
  return { rel, abs: Math.max(1e-30, m * absFraction) };
}
