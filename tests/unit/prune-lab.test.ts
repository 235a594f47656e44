// The pruning lab's bookkeeping (src/prune/lab.ts): the sparsity list a person types, the points a
// sweep runs, the cache key's dependence on what was measured, and the Table-1-style table.
import { describe, expect, it } from 'vitest';
import {
  ALLOCATION_KINDS,
  allocationKind,
  LAB_ALLOCATIONS,
  labTable,
  namedAllocation,
  parseSweep,
  pointKey,
  sweepPoints,
  type LabPoint,
} from '../../src/prune/lab';

const point = (
  method: LabPoint['method'],
  allocation: LabPoint['allocation'],
  S: number,
  ppl: number,
): LabPoint => ({
  method,
  allocation,
  S,
  layerSparsity: [S, S],
  pruned: [],
  ppl,
  tokens: 10,
  seconds: 1,
});

describe('the pruning lab', () => {
  it('reads a sweep list, sorted and distinct; refuses what is not in [0, 1) by name', () => {
    expect(parseSweep('0.5, 0.2 0.3;0.2')).toEqual([0.2, 0.3, 0.5]);
    expect(parseSweep('0')).toEqual([0]);
    expect(() => parseSweep('0.2, 1')).toThrow('sparsity "1" is not a number in [0, 1)');
    expect(() => parseSweep('-0.1')).toThrow('sparsity "-0.1" is not a number in [0, 1)');
    expect(() => parseSweep('0.2, abc')).toThrow('sparsity "abc" is not a number in [0, 1)');
    expect(() => parseSweep('  ')).toThrow(/no sparsities/);
  });

  it('runs every method × allocation at each S, uniform first', () => {
    expect(sweepPoints(['wanda', 'magnitude'], ['uniform', 'density'], [0.3, 0.5])).toEqual([
      { method: 'wanda', allocation: 'uniform', S: 0.3 },
      { method: 'wanda', allocation: 'density', S: 0.3 },
      { method: 'magnitude', allocation: 'uniform', S: 0.3 },
      { method: 'magnitude', allocation: 'density', S: 0.3 },
      { method: 'wanda', allocation: 'uniform', S: 0.5 },
      { method: 'wanda', allocation: 'density', S: 0.5 },
      { method: 'magnitude', allocation: 'uniform', S: 0.5 },
      { method: 'magnitude', allocation: 'density', S: 0.5 },
    ]);
  });

  it('keys a point by everything it depends on', async () => {
    const base = {
      model: 'm',
      precision: 'f32' as const,
      method: 'wanda' as const,
      layerSparsity: [0.5, 0.5],
      seed: 0,
      calibration: [[1, 2, 3]],
      eval: [[1, 4]],
    };
    const k = await pointKey(base);
    expect(k).toMatch(/^prune:[0-9a-f]{64}$/);
    expect(await pointKey({ ...base })).toBe(k);
    for (const change of [
      { model: 'n' },
      { precision: 'f16' as const },
      { method: 'magnitude' as const },
      { layerSparsity: [0.4, 0.6] },
      { seed: 1 },
      { calibration: [[1, 2, 4]] },
      { eval: [[1, 5]] },
    ])
      expect(await pointKey({ ...base, ...change })).not.toBe(k);
  });

  it('tables dense, each method uniform, then allocated with its change against uniform', () => {
    const rows = labTable(
      [
        point('wanda', 'uniform', 0.5, 40),
        point('wanda', 'density', 0.5, 38),
        point('magnitude', 'uniform', 0.5, 50),
        point('wanda', 'uniform', 0.3, 31),
      ],
      30,
      0.5,
    );
    expect(rows.map((r) => r.label)).toEqual(['dense', 'wanda', 'magnitude', 'wanda + S_i']);
    expect(rows.map((r) => r.ppl)).toEqual([30, 40, 50, 38]);
    expect(rows[3].vsUniform).toBeCloseTo(-0.05, 12);
    expect(rows.slice(0, 3).every((r) => r.vsUniform === null)).toBe(true);
    expect(labTable([], null, 0.5)).toEqual([]);
  });

  it('reads each allocation from its table entry: one baseline, labels, names the CLI takes', () => {
    expect(ALLOCATION_KINDS.filter((k) => k.baseline)).toHaveLength(1);
    expect(LAB_ALLOCATIONS).toEqual(ALLOCATION_KINDS.map((k) => k.id));
    for (const k of ALLOCATION_KINDS) {
      expect(namedAllocation(k.id)).toBe(k.id);
      expect(allocationKind(k.id)).toBe(k);
      // a table row: the method with the entry's suffix, compared with the baseline unless it is it
      const rows = labTable(
        [point('wanda', 'uniform', 0.5, 40), point('wanda', k.id, 0.5, 44)],
        null,
        0.5,
      );
      const row = rows.find((r) => r.allocation === k.id)!;
      expect(row.label).toBe(`wanda${k.suffix}`);
      expect(row.vsUniform === null).toBe(k.baseline);
    }
    expect(namedAllocation('sparsity-list.txt')).toBeNull();
    // an N:M pattern has one point, at S = N/M; checked by default: uniform and density only
    expect(sweepPoints(['wanda'], ['uniform', '2:4', '4:8'], [0.3, 0.5])).toEqual([
      { method: 'wanda', allocation: 'uniform', S: 0.3 },
      { method: 'wanda', allocation: 'uniform', S: 0.5 },
      { method: 'wanda', allocation: '2:4', S: 0.5 },
      { method: 'wanda', allocation: '4:8', S: 0.5 },
    ]);
    expect(ALLOCATION_KINDS.filter((k) => k.byDefault).map((k) => k.id)).toEqual([
      'uniform',
      'density',
    ]);
    expect(() => allocationKind('lamp' as never)).toThrow(/unknown allocation/);
    // one entry each takes S_i from the density and from OWL's outlier ratios; every point shape
    // and dash differs, so points at one S tell apart
    expect(ALLOCATION_KINDS.filter((k) => k.density).map((k) => k.id)).toEqual(['density']);
    expect(ALLOCATION_KINDS.filter((k) => k.outliers).map((k) => k.id)).toEqual(['owl']);
    const look = ALLOCATION_KINDS.map((k) => `${k.dash} ${k.marker} ${k.baseline}`);
    expect(new Set(look).size).toBe(ALLOCATION_KINDS.length);
  });
});
