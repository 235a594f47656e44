// Shifted index pairing (a set with itself, sets of different order): the reference backend's
// LLMDcos for pair (a, b, shift) equals the unshifted pairing of a with b rotated by shift.
import { describe, expect, it } from 'vitest';
import { runReference } from '../../src/engine/run-reference';
import { checkPairs, type RunRequest } from '../../src/engine/types';
import { fixtureWeights } from '../helpers/fixtures';

const samples = (seed: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    source: `s${seed}.${i}`,
    tokens: [1, 3 + ((seed * 7 + i * 5) % 40), 4 + ((i * 11) % 30), 5 + i],
  }));

describe('shifted pairing', () => {
  it('pair (A, A, 1) equals pair (A, rot1(A), 0) and (A, B, 2) equals (A, rot2(B), 0)', async () => {
    const w = await fixtureWeights('f32');
    const A = samples(1, 3);
    const B = samples(2, 4);
    const rot = <T>(x: T[], k: number) => x.map((_, i) => x[(i + k) % x.length]);
    const base = { thresholds: [1e-3], metric: 'grad_x_weight' as const, maxTokens: 16 };
    const shifted = await runReference(w, {
      ...base,
      sets: [
        { name: 'A', samples: A },
        { name: 'B', samples: B },
      ],
      pairs: [
        { a: 'A', b: 'A', shift: 1 },
        { a: 'A', b: 'B', shift: 2 },
      ],
    });
    const plain = await runReference(w, {
      ...base,
      sets: [
        { name: 'A', samples: A },
        { name: 'A1', samples: rot(A, 1) },
        { name: 'B2', samples: rot(B, 2) },
      ],
      pairs: [
        { a: 'A', b: 'A1' },
        { a: 'A', b: 'B2' },
      ],
    });
    expect(shifted.pairs[0].shift).toBe(1);
    expect(shifted.pairs[0].llmdcos).toEqual(plain.pairs[0].llmdcos);
    expect(shifted.pairs[1].llmdcos).toEqual(plain.pairs[1].llmdcos);
    expect(shifted.pairs[0].llmdcos).toHaveLength(3);
    for (const row of shifted.pairs[0].llmdcos) for (const c of row) expect(c).toBeLessThan(1);
  });

  it('refuses self-pairs and bad shifts', () => {
    const req = (pairs: RunRequest['pairs'], n = 3): RunRequest => ({
      sets: [{ name: 'A', samples: samples(1, n) }],
      pairs,
      thresholds: [1],
      metric: 'grad',
      maxTokens: 8,
    });
    expect(() => checkPairs(req([{ a: 'A', b: 'A' }]))).toThrow(/themselves/);
    expect(() => checkPairs(req([{ a: 'A', b: 'A', shift: 3 }]))).toThrow(/themselves/);
    expect(() => checkPairs(req([{ a: 'A', b: 'A', shift: 1 }], 1))).toThrow(/themselves/);
    expect(() => checkPairs(req([{ a: 'A', b: 'A', shift: -1 }]))).toThrow(/non-negative/);
    expect(checkPairs(req([{ a: 'A', b: 'A', shift: 2 }]))).toEqual([3]);
  });
});
