// Layer-wise sparsity allocation (METHOD.md §4), with α = 2, β = 0.2 and the population std:
//   N'_i = sigmoid((N_i − mean N) / std N + α / i)        (i is 1-based)
//   S_i  = S + β·S·(1 − N'_i · L / Σ_j N'_j)               (mean of S_i is exactly S)

export function layerSparsity(counts: number[], S: number, alpha = 2, beta = 0.2): number[] {
  const L = counts.length;
  if (L === 0) return [];
  const mean = counts.reduce((a, b) => a + b, 0) / L;
  const std = Math.sqrt(counts.reduce((a, n) => a + (n - mean) ** 2, 0) / L);
  const z = (n: number) => (std > 0 ? (n - mean) / std : 0);
  const np = counts.map((n, i) => 1 / (1 + Math.exp(-(z(n) + alpha / (i + 1)))));
  const total = np.reduce((a, b) => a + b, 0);
  return np.map((x) => S + beta * S * (1 - (x * L) / total));
}
