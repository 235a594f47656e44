/** Reference ops run on f32 arrays (the default) or f64 arrays (gradient checks). */
export type FloatArray = Float32Array | Float64Array;

export function like(a: FloatArray, n: number): FloatArray {
  return a instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}
