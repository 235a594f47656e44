// Element-wise comparison of two arrays with a relative tolerance and an absolute floor,
// reporting the first differing values. Shared by tests and the app's engine self-check.

export interface Tolerance {
  /** relative tolerance: |a − e| ≤ rel · |e| passes */
  rel: number;
  /** absolute floor: |a − e| ≤ abs passes (for values near zero) */
  abs: number;
}

export interface Mismatch {
  index: number;
  actual: number;
  expected: number;
}

export interface Comparison {
  ok: boolean;
  count: number;
  maxAbsDiff: number;
  /** max over elements of |a − e| / max(|e|, abs / rel) */
  maxRelDiff: number;
  /** the first few elements outside tolerance, in index order */
  mismatches: Mismatch[];
  /** set when the lengths differ */
  lengthMismatch?: { actual: number; expected: number };
}

const MAX_REPORTED = 5;

export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): Comparison {
  const res: Comparison = {
    ok: true,
    count: expected.length,
    maxAbsDiff: 0,
    maxRelDiff: 0,
    mismatches: [],
  };
  if (actual.length !== expected.length) {
    res.ok = false;
    res.lengthMismatch = { actual: actual.length, expected: expected.length };
    return res;
  }
  const floor = tol.abs / tol.rel;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const diff = Math.abs(a - e);
    const bad = !(diff <= tol.abs || diff <= tol.rel * Math.abs(e)); // NaN is bad
    if (diff > res.maxAbsDiff || Number.isNaN(diff)) res.maxAbsDiff = diff;
    const rel = diff / Math.max(Math.abs(e), floor);
    if (rel > res.maxRelDiff || Number.isNaN(rel)) res.maxRelDiff = rel;
    if (bad) {
      res.ok = false;
      if (res.mismatches.length < MAX_REPORTED)
        res.mismatches.push({ index: i, actual: a, expected: e });
    }
  }
  return res;
}

/** One line per problem, e.g. for an assertion message. */
export function describeComparison(name: string, c: Comparison): string {
  if (c.lengthMismatch) {
    return `${name}: length ${c.lengthMismatch.actual}, expected ${c.lengthMismatch.expected}`;
  }
  const head = `${name}: ${c.ok ? 'ok' : 'MISMATCH'} over ${c.count} values, max |Δ| ${c.maxAbsDiff.toExponential(2)}, max rel ${c.maxRelDiff.toExponential(2)}`;
  const rows = c.mismatches.map((m) => `  [${m.index}] got ${m.actual}, expected ${m.expected}`);
  return [head, ...rows].join('\n');
}
