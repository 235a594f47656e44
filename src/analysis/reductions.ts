// Per-matrix reductions of A: Σ|s|, Σs², max|s|, and the log10 histogram.
import { addToHistogram, emptyHistogram, type Log10Histogram } from './histogram';

export interface MatrixReduction {
  sumA: number;
  sumA2: number;
  maxA: number;
  count: number;
}

export function reduceMatrix(A: ArrayLike<number>, hist?: Log10Histogram): MatrixReduction {
  let sumA = 0;
  let sumA2 = 0;
  let maxA = 0;
  for (let i = 0; i < A.length; i++) {
    const a = A[i];
    sumA += a;
    sumA2 += a * a;
    if (a > maxA) maxA = a;
    if (hist) addToHistogram(hist, a);
  }
  return { sumA, sumA2, maxA, count: A.length };
}
