// What the allocation view has chosen, for the pruning lab's `density` allocation: the counts N_i
// of a set at the views' γ (over the chosen matrices), α and β. The lab forms S_i at each S it
// prunes at with allocationSteps (docs/METHOD.md §4).
import { allocationSteps } from '../analysis/allocation';

export const allocation = $state({
  /** N_i per layer ([] until a run's results are drawn) */
  counts: [] as number[],
  set: '',
  gamma: 0,
  matrices: [] as string[],
  alpha: 2,
  beta: 0.2,
});

/** S_i at mean sparsity S from the allocation view's counts; null when it has none. */
export function densitySparsity(S: number): number[] | null {
  if (!allocation.counts.length) return null;
  return allocationSteps(allocation.counts, S, allocation.alpha, allocation.beta).sparsity;
}

/** Where the density allocation comes from, in words. */
export const densitySource = (): string =>
  allocation.counts.length
    ? `${allocation.set}'s density at γ = ${allocation.gamma.toExponential(1)}${allocation.matrices.length < 7 ? ` (${allocation.matrices.join('+')})` : ''}, α = ${allocation.alpha}, β = ${allocation.beta}`
    : 'no density yet: run a set and open the allocation view';
