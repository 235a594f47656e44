// Layer-wise sparsity allocation (docs/METHOD.md §4), with α = 2, β = 0.2 and the population std:
//   N'_i = sigmoid((N_i − mean N) / std N + α / i)        (i is 1-based)
//   S_i  = S + β·S·(1 − N'_i · L / Σ_j N'_j)               (mean of S_i is exactly S)
// Also the authors' own Llama-2-7B list and a reader of a pasted or loaded list.

/** Each step of the allocation, per layer (0-based arrays; the formula's i is index + 1). */
export interface AllocationSteps {
  counts: number[];
  z: number[];
  nPrime: number[];
  sparsity: number[];
}

export function allocationSteps(
  counts: number[],
  S: number,
  alpha = 2,
  beta = 0.2,
): AllocationSteps {
  const L = counts.length;
  const mean = counts.reduce((a, b) => a + b, 0) / Math.max(1, L);
  const std = Math.sqrt(counts.reduce((a, n) => a + (n - mean) ** 2, 0) / Math.max(1, L));
  const z = counts.map((n) => (std > 0 ? (n - mean) / std : 0));
  const nPrime = z.map((zi, i) => 1 / (1 + Math.exp(-(zi + alpha / (i + 1)))));
  const total = nPrime.reduce((a, b) => a + b, 0);
  const sparsity = nPrime.map((x) => S + beta * S * (1 - (x * L) / total));
  return { counts, z, nPrime, sparsity };
}

export function layerSparsity(counts: number[], S: number, alpha = 2, beta = 0.2): number[] {
  return allocationSteps(counts, S, alpha, beta).sparsity;
}

/** The authors' hard-coded Llama-2-7B S_i (their Table 1 run, S = 0.5), layers 1…32. */
export const PAPER_LLAMA2_7B = [
  0.5698, 0.5366, 0.4802, 0.4661, 0.4642, 0.4663, 0.4691, 0.4691, 0.4688, 0.4691, 0.4713, 0.4779,
  0.4801, 0.4793, 0.4799, 0.4771, 0.4775, 0.4791, 0.4847, 0.4888, 0.4885, 0.4995, 0.5028, 0.5121,
  0.5152, 0.5239, 0.527, 0.5363, 0.5423, 0.5575, 0.5672, 0.5725,
];

/** Settings outside their range are refused by name: S in [0, 1), α and β finite, β ≥ 0. */
export function checkAllocation(S: number, alpha: number, beta: number): void {
  if (!(Number.isFinite(S) && S >= 0 && S < 1)) throw new Error(`sparsity ${S}: needs 0 ≤ S < 1`);
  if (!Number.isFinite(alpha)) throw new Error(`α ${alpha}: needs a finite number`);
  if (!(Number.isFinite(beta) && beta >= 0)) throw new Error(`β ${beta}: needs a number ≥ 0`);
}

/**
 * A list of per-layer sparsities, one number per line (commas and blanks also separate); named
 * errors for a value that is not a number in [0, 1) and for a length other than L.
 */
export function parseSparsityList(text: string, L: number): number[] {
  const parts = text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
  const values = parts.map((x, i) => {
    const v = Number(x);
    if (!(Number.isFinite(v) && v >= 0 && v < 1))
      throw new Error(`value ${i + 1} ("${x.slice(0, 20)}") is not a sparsity in [0, 1)`);
    return v;
  });
  if (values.length !== L)
    throw new Error(`${values.length} values for ${L} layers: the list needs one per layer`);
  return values;
}
