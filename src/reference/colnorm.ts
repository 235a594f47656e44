// Reference twin of shaders/colnorm.wgsl.
export { columnNorms as colnormForward } from '../analysis/metrics';

/** s (I) += Σ_t X[t, i]² (f32 sums, as the kernel: one column, t in order). */
export function colsumsqAdd(s: Float32Array, X: ArrayLike<number>, T: number, I: number): void {
  for (let i = 0; i < I; i++) {
    let acc = 0;
    for (let t = 0; t < T; t++) acc = Math.fround(acc + Math.fround(X[t * I + i] * X[t * I + i]));
    s[i] = Math.fround(s[i] + acc);
  }
}
