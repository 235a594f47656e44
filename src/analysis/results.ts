// Results schema `paramscope.results/1` (docs/results-schema.md): what the app exports, the cache
// stores and the CLI writes. Everything the views draw derives from it without a GPU.
import { MATRICES, type LlamaConfig } from '../model/config';
import type { Log10Histogram } from './histogram';
import { HIST_BINS } from './histogram';
import { METRICS, type Metric } from './metrics';
import type { ShardInfo } from '../engine/shard';

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

/**
 * The most of each count a results file may claim: past any real model or run (the largest
 * Llama-family models have ≤ 128 layers), so that a hostile file cannot make the page build
 * millions of rows before it is refused.
 */
export const RESULTS_BOUNDS = {
  layers: 512,
  sets: 1000,
  samplesPerSet: 100_000,
  pairs: 100_000,
  thresholds: 64,
};

/** Problems with a parsed results object, as "path: what" lines (at most 20); empty when valid. */
export function validateResults(r: unknown): string[] {
  const errs: string[] = [];
  const fail = (path: string, what: string) => {
    if (errs.length < 20) errs.push(`${path}: ${what}`);
  };
  const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (typeof r !== 'object' || r === null) return ['$: not an object'];
  const o = r as Record<string, unknown>;
  if (o.schema !== RESULTS_SCHEMA)
    fail('schema', `expected "${RESULTS_SCHEMA}", got ${JSON.stringify(o.schema)}`);
  const model = o.model as Results['model'] | undefined;
  const L = model?.config?.blockCount;
  const B = RESULTS_BOUNDS;
  if (!Number.isInteger(L) || (L as number) < 1 || (L as number) > B.layers) {
    fail('model.config.blockCount', `missing or not an integer from 1 to ${B.layers}`);
    return errs;
  }
  if (typeof model?.name !== 'string') fail('model.name', 'not a string');
  if (
    !Array.isArray(model?.matrixParameters) ||
    model.matrixParameters.length !== MATRICES.length ||
    !model.matrixParameters.every((n) => Number.isInteger(n) && n > 0)
  )
    fail('model.matrixParameters', `expected ${MATRICES.length} positive integers`);
  const count = (path: string, v: unknown, most: number) => {
    if (Array.isArray(v) && v.length > most) fail(path, `${v.length} entries: at most ${most}`);
    return Array.isArray(v) && v.length <= most;
  };
  if (!count('sets', o.sets, B.sets) || !count('pairs', o.pairs, B.pairs)) return errs;
  if (JSON.stringify(o.matrices) !== JSON.stringify(MATRICES))
    fail('matrices', `expected ${MATRICES.join(',')}`);
  const settings = o.settings as Results['settings'] | undefined;
  if (!settings || !METRICS.includes(settings.metric))
    fail('settings.metric', `one of ${METRICS.join(', ')}`);
  const K = Array.isArray(settings?.thresholds) ? settings.thresholds.length : -1;
  if (K < 1 || K > B.thresholds || !settings!.thresholds.every(isNum))
    fail('settings.thresholds', `an array of 1 to ${B.thresholds} numbers`);
  const layerMatrix = (path: string, v: unknown, cell: (x: unknown, p: string) => void) => {
    if (!Array.isArray(v) || v.length !== L) return fail(path, `expected ${L} layers`);
    v.forEach((row, l) => {
      if (!Array.isArray(row) || row.length !== 7)
        return fail(`${path}[${l}]`, 'expected 7 matrices');
      row.forEach((x, m) => cell(x, `${path}[${l}][${m}]`));
    });
  };
  const num = (x: unknown, p: string) => (isNum(x) ? undefined : fail(p, 'not a finite number'));
  const sets = o.sets as SetResult[];
  const names = new Set<string>();
  sets.forEach((s: SetResult, i) => {
    const p = `sets[${i}]`;
    if (typeof s?.name !== 'string') fail(`${p}.name`, 'not a string');
    else if (names.has(s.name)) fail(`${p}.name`, `${JSON.stringify(s.name)} names two sets`);
    else names.add(s.name);
    if (!Array.isArray(s?.samples)) return fail(`${p}.samples`, 'not an array');
    if (!count(`${p}.samples`, s.samples, B.samplesPerSet)) return;
    s.samples.forEach((x, j) => {
      const q = `${p}.samples[${j}]`;
      if (typeof x !== 'object' || x === null) return fail(q, 'not an object');
      if (!Number.isInteger(x.tokens) || x.tokens < 1)
        fail(`${q}.tokens`, 'not a positive integer');
      if (!Number.isInteger(x.argmax) || x.argmax < 0) fail(`${q}.argmax`, 'not a token id');
      num(x.maxLogit, `${q}.maxLogit`);
      for (const k of ['sumA', 'sumA2', 'maxA'] as const) layerMatrix(`${q}.${k}`, x[k], num);
    });
    const d = s.density;
    if (!d) return fail(`${p}.density`, 'missing');
    layerMatrix(`${p}.density.counts`, d.counts, (x, q) => {
      if (!Array.isArray(x) || x.length !== K || !x.every((c) => Number.isInteger(c) && c >= 0)) {
        fail(q, `expected ${K} counts`);
      }
    });
    layerMatrix(`${p}.density.sumMeanA`, d.sumMeanA, num);
    layerMatrix(`${p}.density.histograms`, d.histograms, (x, q) => {
      const h = x as Log10Histogram;
      if (
        !h ||
        !Array.isArray(h.bins) ||
        h.bins.length !== HIST_BINS ||
        !h.bins.every((c) => isNum(c) && c >= 0)
      )
        fail(q, `expected ${HIST_BINS} bins of counts ≥ 0`);
    });
  });
  if (o.shard !== undefined) checkShard(o.shard, sets.length, fail);
  const pairs = o.pairs as PairResult[];
  pairs.forEach((pr: PairResult, i) => {
    const p = `pairs[${i}]`;
    if (typeof pr?.a !== 'string' || typeof pr?.b !== 'string')
      fail(p, 'a and b must be set names');
    else if (!names.has(pr.a) || !names.has(pr.b))
      fail(
        p,
        `names a set the file does not hold (${JSON.stringify(names.has(pr.a) ? pr.b : pr.a)})`,
      );
    if (!Array.isArray(pr?.llmdcos)) return fail(`${p}.llmdcos`, 'not an array');
    pr.llmdcos.forEach((row, j) => {
      if (
        !Array.isArray(row) ||
        row.length !== L ||
        !row.every((x) => isNum(x) && x >= -1e-9 && x <= 1 + 1e-9)
      ) {
        fail(`${p}.llmdcos[${j}]`, `expected ${L} values in [0, 1]`);
      }
    });
  });
  return errs;
}

/** The shard block (src/engine/shard.ts), bounded as the rest. */
function checkShard(v: unknown, nSets: number, fail: (path: string, what: string) => void): void {
  const s = v as ShardInfo;
  const B = RESULTS_BOUNDS;
  const names = (x: unknown, most: number) =>
    Array.isArray(x) && x.length <= most && x.every((n) => typeof n === 'string');
  if (
    typeof s !== 'object' ||
    s === null ||
    !Number.isInteger(s.count) ||
    s.count < 1 ||
    s.count > 4096 ||
    !Number.isInteger(s.index) ||
    s.index < 0 ||
    s.index >= s.count ||
    (s.by !== 'units' && s.by !== 'samples')
  )
    return fail(
      'shard',
      'expected {index, count, by: units|samples} with 0 ≤ index < count ≤ 4096',
    );
  if (!names(s.sets, B.sets)) fail('shard.sets', `at most ${B.sets} set names`);
  if (
    !Array.isArray(s.pairs) ||
    s.pairs.length > B.pairs ||
    !s.pairs.every(
      (p) =>
        Array.isArray(p) && p.length === 3 && names(p.slice(0, 2), 2) && Number.isInteger(p[2]),
    )
  )
    fail('shard.pairs', `at most ${B.pairs} [a, b, shift] triples`);
  if (s.by === 'samples') {
    const ok =
      Array.isArray(s.samples) &&
      s.samples.length === nSets &&
      s.samples.every(
        (x) =>
          Array.isArray(x) &&
          x.length <= B.samplesPerSet &&
          x.every((j) => Number.isInteger(j) && j >= 0 && j < B.samplesPerSet * 4096),
      );
    if (!ok) fail('shard.samples', `per set, the run's indices of its samples`);
  }
}
