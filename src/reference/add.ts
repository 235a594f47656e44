// Reference twin of shaders/add.wgsl.
import type { FloatArray } from '../util/float-array';

export function addForward(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

export function addAccumulate(out: FloatArray, a: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] += a[i];
}

/** out (rows, width) += bias (width) on every row. */
export function addBias(out: FloatArray, bias: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] += bias[i % bias.length];
}
