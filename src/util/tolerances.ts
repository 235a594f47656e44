import type { Tolerance } from './compare';

/** GPU f32 vs the f32 reference (f64 accumulation): dot products of length ≤ a few thousand. */
export const F32_OP: Tolerance = { rel: 1e-4, abs: 1e-6 };
/** Finite differences in f64 (central, step 1e-6 relative) vs analytic gradients. */
export const F64_FD: Tolerance = { rel: 1e-6, abs: 1e-9 };
