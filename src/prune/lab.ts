// The pruning lab's bookkeeping, apart from the GPU and the page: the points a sweep prunes at,
// the sparsity list a person types, each point's cache key, and the Table-1-style table.
import { sha256Hex } from '../cache/keys';
import type { Precision } from '../gpu/runtime/context';
import type { PruneMethod } from './select';

/**
 * The lab's allocations of the mean sparsity S, one entry each: `label` (the lab's checkbox),
 * `suffix` (a table row's label after the method), `baseline` (S_i = S everywhere: what the
 * others are compared with), `density` (S_i from the run's density, the paper's allocation: waits
 * for a density run), `pattern` (N:M semi-structured: the N smallest of every M consecutive
 * weights of a row, so only at S = N/M, in every layer), `outliers` (S_i from OWL's outlier ratios
 * of the dense model on the calibration samples: src/prune/owl.ts), `byDefault` (checked in a new lab),
 * `dash` and `marker` (the sweep chart's line and point shape; a baseline's points are hollow).
 */
export const ALLOCATION_KINDS = [
  {
    id: 'uniform',
    label: 'uniform',
    suffix: '',
    baseline: true,
    density: false,
    outliers: false,
    pattern: null,
    byDefault: true,
    dash: '6 4',
    marker: 'circle',
  },
  {
    id: 'density',
    label: 'S_i (density)',
    suffix: ' + S_i',
    baseline: false,
    density: true,
    outliers: false,
    pattern: null,
    byDefault: true,
    dash: null,
    marker: 'circle',
  },
  {
    id: 'owl',
    label: 'OWL',
    suffix: ' + OWL',
    baseline: false,
    density: false,
    outliers: true,
    pattern: null,
    byDefault: false,
    dash: '1 3',
    marker: 'square',
  },
  {
    id: '2:4',
    label: '2:4',
    suffix: ' 2:4',
    baseline: false,
    density: false,
    outliers: false,
    pattern: { n: 2, m: 4 },
    byDefault: false,
    dash: '2 3',
    marker: 'triangle',
  },
  {
    id: '4:8',
    label: '4:8',
    suffix: ' 4:8',
    baseline: false,
    density: false,
    outliers: false,
    pattern: { n: 4, m: 8 },
    byDefault: false,
    dash: '8 3 2 3',
    marker: 'diamond',
  },
] as const;
export type LabAllocation = (typeof ALLOCATION_KINDS)[number]['id'];
export type AllocationKind = (typeof ALLOCATION_KINDS)[number];
export const LAB_ALLOCATIONS: LabAllocation[] = ALLOCATION_KINDS.map((k) => k.id);

/** `s` when it names an allocation of the table, else null (e.g. the CLI's list file). */
export function namedAllocation(s: string): LabAllocation | null {
  return (LAB_ALLOCATIONS as string[]).includes(s) ? (s as LabAllocation) : null;
}

/** The table entry of `a`. */
export function allocationKind(a: LabAllocation): AllocationKind {
  const k = ALLOCATION_KINDS.find((x) => x.id === a);
  if (!k) throw new Error(`unknown allocation ${String(a)}`);
  return k;
}

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
  // an N:M pattern prunes N/M of every row: it has that one point
  const at = (a: LabAllocation, S: number) => {
    const p = allocationKind(a).pattern;
    return !p || S === p.n / p.m;
  };
  return sparsities.flatMap((S) =>
    methods.flatMap((method) =>
      allocations.filter((a) => at(a, S)).map((allocation) => ({ method, allocation, S })),
    ),
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
  /** N:M ("2:4"); absent for unstructured points (their keys as before) */
  pattern?: string;
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
  const baseline = ALLOCATION_KINDS.find((k) => k.baseline)!.id;
  for (const kind of ALLOCATION_KINDS)
    for (const p of at.filter((x) => x.allocation === kind.id)) {
      const u = at.find((x) => x.method === p.method && x.allocation === baseline);
      rows.push({
        label: `${p.method}${kind.suffix}`,
        method: p.method,
        allocation: kind.id,
        ppl: p.ppl,
        vsUniform: !kind.baseline && u ? p.ppl / u.ppl - 1 : null,
      });
    }
  return rows;
}
