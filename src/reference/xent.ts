// Cross-entropy of next-token prediction: nll[t] = −log softmax(logits[t])[target[t]] =
// log Σ_v exp(logits[t, v] − m) + m − logits[t, target[t]], m = max_v logits[t, v]
// (the full vocabulary; the perplexity of a sequence is exp of the mean nll).
import type { FloatArray } from '../util/float-array';

/** nll (T) ← logits (T, V), targets (T). Overwrites nll. */
export function crossEntropyForward(
  nll: FloatArray,
  logits: FloatArray,
  targets: ArrayLike<number>,
  T: number,
  V: number,
): void {
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[t * V + v]);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(logits[t * V + v] - m);
    nll[t] = Math.log(s) + m - logits[t * V + targets[t]];
  }
}
