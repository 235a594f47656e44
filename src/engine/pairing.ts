// Which pairs of sets a run compares (LLMDcos), from the Run panel's pairing: the paper's two sets,
// every pair of sets with each set against itself (shift 1: sample i with sample i + 1), or none.
// Plain functions of the set names, so that the page and the tests share them.
import type { PairSpec, RunSet } from './types';

export type Pairing = 'paper' | 'matrix' | 'none';

/**
 * The two sets of the paper's pairing among `names` (the sets in the run, in order): the chosen
 * a and b while they are there and differ, else the first two; null with fewer than two sets.
 */
export function paperPair(names: string[], a: string, b: string): [string, string] | null {
  if (names.length < 2) return null;
  const first = names.includes(a) ? a : names[0];
  const second = names.includes(b) && b !== first ? b : names.find((n) => n !== first)!;
  return [first, second];
}

/**
 * The pairs a run of `sets` compares: the paper's two (`two`), or every pair of sets once and
 * each set with at least two samples against itself shifted by one, or none.
 */
export function plannedPairs(
  pairing: Pairing,
  sets: RunSet[],
  two: [string, string] | null,
): PairSpec[] {
  if (pairing === 'none') return [];
  if (pairing === 'paper') return two ? [{ a: two[0], b: two[1] }] : [];
  const out: PairSpec[] = [];
  sets.forEach((a, i) =>
    sets.forEach((b, j) => {
      if (j < i) return;
      if (i === j) {
        if (a.samples.length >= 2) out.push({ a: a.name, b: a.name, shift: 1 });
      } else out.push({ a: a.name, b: b.name });
    }),
  );
  return out;
}
