// Reference twin of shaders/add.wgsl.
import type { FloatArray } from './types';

export function addForward(out: FloatArray, a: FloatArray, b: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

export function addAccumulate(out: FloatArray, a: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] += a[i];
}
