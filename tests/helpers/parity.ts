// Whole-model parity helpers shared by the GPU engine tests (tests/gpu, tests/f16): a run request
// over fixture vocabularies, the flattened numbers compared, and the comparison itself.
import { expect } from 'vitest';
import type { RunOutput } from '../../src/engine/types';
import type { RunRequest } from '../../src/engine/types';
import type { Metric } from '../../src/analysis/metrics';
import { mulberry32 } from '../../src/util/random';
import { compareArrays, describeComparison, type Tolerance } from '../../src/util/compare';

/** Issue 4's bar: GPU f32 within 1e-4 relative of the reference. */
export const PARITY: Tolerance = { rel: 1e-4, abs: 1e-12 };

export function request(V: number, lengths: number[][], metric: Metric): RunRequest {
  const r = mulberry32(lengths.flat().length);
  const sample = (T: number, i: number) => ({
    source: `s${i}`,
    tokens: [1, ...Array.from({ length: T - 1 }, () => 3 + Math.floor(r() * (V - 3)))],
  });
  return {
    sets: lengths.map((ls, si) => ({
      name: `set${si}`,
      samples: ls.map((T, i) => sample(T, si * 10 + i)),
    })),
    // the paper's index pairing, a shifted one across sets, and a set with itself (shift 1)
    pairs: [
      { a: 'set0', b: 'set1' },
      { a: 'set1', b: 'set0', shift: 1 },
      ...(lengths[0].length > 1 ? [{ a: 'set0', b: 'set0', shift: 1 }] : []),
    ],
    thresholds: [1e-4, 1e-3, 1e-2],
    metric,
    maxTokens: 256,
  };
}

export function flat(out: RunOutput) {
  const s = out.sets.flatMap((set) => set.samples);
  return {
    sums: s.flatMap((x) => [...x.sumA.flat(), ...x.sumA2.flat(), ...x.maxA.flat()]),
    logits: s.map((x) => x.maxLogit),
    argmax: s.map((x) => x.argmax),
    counts: out.sets.flatMap((set) => set.density.counts.flat(2)),
    sumMeanA: out.sets.flatMap((set) => set.density.sumMeanA.flat()),
    cos: out.pairs.flatMap((p) => p.llmdcos.flat()),
  };
}

export function expectParity(name: string, got: number[], want: number[], tol = PARITY) {
  const c = compareArrays(got, want, tol);
  expect(c.ok, describeComparison(name, c)).toBe(true);
}
