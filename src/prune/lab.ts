// The pruning lab's bookkeeping, apart from the GPU and the page: the points a sweep prunes at,
// the sparsity list a person types, each point's cache key, and the Table-1-style table.
import { sha256Hex } from '../cache/keys';
import type { Precision } from '../engine/types';
import type { PruneMethod } from './select';

export type LabAllocation = 'uniform' | 'density';

/** One pruned model measured: what the chart and table draw and the cache keeps. */
export interface LabPoint {
  method: PruneMethod;
  allocation: LabAllocation;
  /** the mean sparsity S */
  S: number;
  /** S_i per layer */
  layerSparsity: number[];
  /** rows · ⌊I · S_i⌋ per layer and matrix */
  pruned: number[][];
  ppl: number;
  /** predicted tokens */
  tokens: number;
  /** pruning and perplexity, seconds (0 when it came from the cache) */
  seconds: number;
  cached?: boolean;
}

/** A list of sparsities ("0.2, 0.3 … 0.7" or spaces/commas), each in [0, 1), sorted, distinct. */
export function parseSweep(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (!parts.length) throw new Error('no sparsities: type a list such as 0.2, 0.4, 0.6');
  const out = parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v) || v < 0 || v >= 1)
      throw new Error(`sparsity "${p}" is not a number in [0, 1)`);
    return v;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

/** Every method × allocation × S, in the order they run (uniform first at each S). */
export function sweepPoints(
  methods: PruneMethod[],
  allocations: LabAllocation[],
  sparsities: number[],
): { method: PruneMethod; allocation: LabAllocation; S: number }[] {
  return sparsities.flatMap((S) =>
    methods.flatMap((method) => allocations.map((allocation) => ({ method, allocation, S }))),
  );
}

/** What a measured point depends on: the model, the tokens, the method, S_i, seed, precision. */
export async function pointKey(p: {
  model: string;
  precision: Precision;
  method: PruneMethod;
  layerSparsity: number[];
  seed: number;
  calibration: number[][] | null;
  eval: number[][];
}): Promise<string> {
  return `prune:${await sha256Hex(JSON.stringify(p))}`;
}

export interface TableRow {
  label: string;
  method: PruneMethod | null;
  allocation: LabAllocation | null;
  ppl: number;
  /** relative to the same method with uniform sparsity (null for dense and uniform rows) */
  vsUniform: number | null;
}

/** The Table-1-style table at sparsity S: dense, each method uniform, each method allocated. */
export function labTable(points: LabPoint[], dense: number | null, S: number): TableRow[] {
  const at = points.filter((p) => p.S === S);
  const rows: TableRow[] = [];
  if (dense !== null)
    rows.push({ label: 'dense', method: null, allocation: null, ppl: dense, vsUniform: null });
  for (const allocation of ['uniform', 'density'] as const)
    for (const p of at.filter((x) => x.allocation === allocation)) {
      const u = at.find((x) => x.method === p.method && x.allocation === 'uniform');
      rows.push({
        label: `${p.method}${allocation === 'density' ? ' + S_i' : ''}`,
        method: p.method,
        allocation,
        ppl: p.ppl,
        vsUniform: allocation === 'density' && u ? p.ppl / u.ppl - 1 : null,
      });
    }
  return rows;
}
