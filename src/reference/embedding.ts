// Reference twin of shaders/embedding.wgsl: x[t, c] = E[tokens[t], c].
import type { FloatArray } from '../util/float-array';

export function embeddingForward(
  x: FloatArray,
  tokens: ArrayLike<number>,
  E: FloatArray,
  C: number,
): void {
  for (let t = 0; t < tokens.length; t++)
    for (let c = 0; c < C; c++) x[t * C + c] = E[tokens[t] * C + c];
}
