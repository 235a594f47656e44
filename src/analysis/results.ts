// Results schema `paramscope.results/1` (docs/results-schema.md): what the app exports, the cache
// stores and the CLI writes. Everything the views draw derives from it without a GPU.
import type { LlamaConfig } from '../model/config';
import type { Log10Histogram } from './histogram';
import type { Metric } from './metrics';
import * as v from 'valibot';
import { issueLines, PairSchema, ResultsSchema, SetSchema } from './results-schema';

/** How a run is sharded (src/engine/shard.ts). */
export type ShardBy = 'units' | 'samples';

/** What a shard's results record of the whole run (the `shard` block, docs/results-schema.md). */
export interface ShardInfo {
  index: number;
  count: number;
  by: ShardBy;
  /** every set of the whole run, in order */
  sets: string[];
  /** every pair of the whole run, in order, as `a`, `b`, shift */
  pairs: [string, string, number][];
  /** by samples: per set of this shard (in its order), the run's indices of its samples */
  samples?: number[][];
}

export const RESULTS_SCHEMA = 'paramscope.results/1';

/** [layer][matrix] with matrices in MATRICES order */
export type PerLayerMatrix<T> = T[][];

export interface SampleResult {
  source: string;
  /** token count (BOS included) */
  tokens: number;
  tokenIds: number[];
  maxLogit: number;
  argmax: number;
  sumA: PerLayerMatrix<number>;
  sumA2: PerLayerMatrix<number>;
  maxA: PerLayerMatrix<number>;
}

export interface SetDensity {
  /** the set's sample count the means are over */
  samples: number;
  thresholds: number[];
  /** [layer][matrix][threshold]: parameters whose mean A over the samples is > threshold */
  counts: number[][][];
  /** [layer][matrix]: Σ over parameters of mean A */
  sumMeanA: PerLayerMatrix<number>;
  /** [layer][matrix]: log10 histogram of mean A (src/analysis/histogram.ts) */
  histograms: PerLayerMatrix<Log10Histogram>;
}

export interface SetResult {
  name: string;
  samples: SampleResult[];
  density: SetDensity;
}

export interface PairResult {
  a: string;
  b: string;
  /** present when not 0: pair i is sample i of a with sample (i + shift) mod n_b of b */
  shift?: number;
  /** present for explicit pairs: pair i is sample index[i][0] of a with sample index[i][1] of b */
  index?: [number, number][];
  /** [pair i = sample i of a with sample i (+ shift) of b][layer] */
  llmdcos: number[][];
}

export interface Results {
  schema: typeof RESULTS_SCHEMA;
  createdAt: string;
  engine: { backend: 'reference' | 'gpu'; precision: 'f32' | 'f16' | 'f64'; adapter?: string };
  model: {
    name: string;
    file: string;
    config: LlamaConfig;
    /** parameters per layer of each matrix, MATRICES order */
    matrixParameters: number[];
  };
  settings: { metric: Metric; maxTokens: number; thresholds: number[] };
  matrices: string[];
  sets: SetResult[];
  pairs: PairResult[];
  /** present in a shard's results only (src/engine/shard.ts; npm run merge removes it) */
  shard?: ShardInfo;
}

export { RESULTS_BOUNDS } from './results-schema';

/** The schema's output is a Results: the compiler keeps the two from drifting apart. */
export const schemaOutputIsResults = (x: v.InferOutput<typeof ResultsSchema>): Results => x;

/**
 * Problems with a parsed results object, as "path: what" lines (at most 20); empty when valid:
 * its shape and bounds by the schema (src/analysis/results-schema.ts, the first problem), then
 * what ties its fields together.
 */
export function validateResults(r: unknown): string[] {
  const parsed = v.safeParse(ResultsSchema, r, { abortEarly: true });
  if (!parsed.success) return issueLines(parsed.issues);
  return relations(parsed.output as Results);
}

/**
 * Problems with a cached set result (a cache entry: IndexedDB can be edited by hand or by other
 * code): its shape by the schema, then its per-layer arrays all as long as its density's, its
 * samples and thresholds the run's. Empty when it may be drawn.
 */
export function validateCachedSet(x: unknown, samples: number, thresholds: number): string[] {
  const parsed = v.safeParse(SetSchema, x, { abortEarly: true });
  if (!parsed.success) return issueLines(parsed.issues);
  const s = parsed.output as SetResult;
  const L = s.density.counts.length;
  if (s.samples.length !== samples || s.density.samples !== samples)
    return [`samples: ${s.samples.length}, the set has ${samples}`];
  const fake = {
    model: { config: { blockCount: L } },
    settings: { thresholds: new Array(thresholds) },
    sets: [s],
    pairs: [],
  } as unknown as Results;
  return relations(fake);
}

/** Problems with a cached pair result: its shape, every row of LLMDcos as long, in [0, 1]. */
export function validateCachedPair(x: unknown): string[] {
  const parsed = v.safeParse(PairSchema, x, { abortEarly: true });
  if (!parsed.success) return issueLines(parsed.issues);
  const p = parsed.output as PairResult;
  const L = p.llmdcos[0]?.length ?? 0;
  const bad = p.llmdcos.findIndex(
    (row) => row.length !== L || !row.every((c) => c >= -1e-9 && c <= 1 + 1e-9),
  );
  return bad < 0 ? [] : [`llmdcos[${bad}]: expected ${L} values in [0, 1]`];
}

/** Per-layer arrays as long as the model's layers, counts per threshold, names that resolve. */
function relations(o: Results): string[] {
  const errs: string[] = [];
  const fail = (path: string, what: string) => {
    if (errs.length < 20) errs.push(`${path}: ${what}`);
  };
  const L = o.model.config.blockCount;
  const K = o.settings.thresholds.length;
  const layerMatrix = (path: string, x: unknown[][], cell?: (c: unknown, p: string) => void) => {
    if (x.length !== L) return fail(path, `expected ${L} layers`);
    x.forEach((row, l) => {
      if (row.length !== 7) return fail(`${path}[${l}]`, 'expected 7 matrices');
      if (cell) row.forEach((c, m) => cell(c, `${path}[${l}][${m}]`));
    });
  };
  const names = new Set<string>();
  o.sets.forEach((s, i) => {
    const p = `sets[${i}]`;
    if (names.has(s.name)) fail(`${p}.name`, `${JSON.stringify(s.name)} names two sets`);
    names.add(s.name);
    s.samples.forEach((x, j) => {
      for (const k of ['sumA', 'sumA2', 'maxA'] as const)
        layerMatrix(`${p}.samples[${j}].${k}`, x[k]);
    });
    const d = s.density;
    layerMatrix(`${p}.density.counts`, d.counts, (c, q) => {
      if ((c as number[]).length !== K) fail(q, `expected ${K} counts`);
    });
    layerMatrix(`${p}.density.sumMeanA`, d.sumMeanA);
    layerMatrix(`${p}.density.histograms`, d.histograms);
  });
  o.pairs.forEach((pr, i) => {
    const p = `pairs[${i}]`;
    if (!names.has(pr.a) || !names.has(pr.b))
      fail(
        p,
        `names a set the file does not hold (${JSON.stringify(names.has(pr.a) ? pr.b : pr.a)})`,
      );
    pr.llmdcos.forEach((row, j) => {
      if (row.length !== L || !row.every((x) => x >= -1e-9 && x <= 1 + 1e-9))
        fail(`${p}.llmdcos[${j}]`, `expected ${L} values in [0, 1]`);
    });
  });
  const sh = o.shard;
  if (sh && sh.index >= sh.count) fail('shard.index', `not below count ${sh.count}`);
  if (sh?.by === 'samples' && sh.samples?.length !== o.sets.length)
    fail('shard.samples', "per set, the run's indices of its samples");
  return errs;
}
