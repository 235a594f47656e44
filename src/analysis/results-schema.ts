// The results document's shape as a valibot schema (docs/results-schema.md): every field's type,
// and a bound on every count a file claims, checked before the items are (a file claiming 10⁹
// entries is refused by its count). What ties fields together — every per-layer array as long as
// the model's layers, thresholds and counts, set names unique, pairs naming the file's sets — is
// checked after it (src/analysis/results.ts validateResults), once the shape holds.
import * as v from 'valibot';
import type { LlamaConfig } from '../model/config';
import { MATRICES } from '../model/config';
import { HIST_BINS, type Log10Histogram } from './histogram';
import { METRICS } from './metrics';

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
  /** token ids of one sample (past any model's context) */
  tokens: 1 << 20,
};
const B = RESULTS_BOUNDS;

/** An array of at most `most` entries, its items checked only once the count is within it. */
export function bounded<T extends v.GenericSchema>(item: T, most: number, unit = 'entries') {
  return v.pipe(
    v.array(v.unknown(), 'not an array'),
    v.maxLength(most, (i) => `${i.received} ${unit}: at most ${most}`),
    v.array(item, 'not an array'),
  );
}

const finite = v.pipe(v.number('not a finite number'), v.finite('not a finite number'));
const positiveInt = v.pipe(
  v.number('not a positive integer'),
  v.integer('not a positive integer'),
  v.minValue(1, 'not a positive integer'),
);
const tokenId = v.pipe(
  v.number('not a token id'),
  v.integer('not a token id'),
  v.minValue(0, 'not a token id'),
);
const count = v.pipe(
  v.number('not a count'),
  v.integer('not a count'),
  v.minValue(0, 'not a count'),
);

/** [layer][matrix] of `cell`: the outer counts bounded (their lengths checked against L after). */
const layerMatrix = <T extends v.GenericSchema>(cell: T) =>
  bounded(bounded(cell, MATRICES.length), B.layers);

const histogram = v.custom<Log10Histogram>(
  (h) =>
    typeof h === 'object' &&
    h !== null &&
    Array.isArray((h as Log10Histogram).bins) &&
    (h as Log10Histogram).bins.length === HIST_BINS &&
    (h as Log10Histogram).bins.every((c) => Number.isFinite(c) && c >= 0) &&
    ['zeros', 'under', 'over'].every((k) => Number.isFinite((h as Record<string, number>)[k])),
  `expected ${HIST_BINS} bins of counts ≥ 0`,
);

const sample = v.object(
  {
    source: v.string('not a string'),
    tokens: positiveInt,
    tokenIds: bounded(tokenId, B.tokens),
    maxLogit: finite,
    argmax: tokenId,
    sumA: layerMatrix(finite),
    sumA2: layerMatrix(finite),
    maxA: layerMatrix(finite),
  },
  'not an object',
);

export const SetSchema = v.object(
  {
    name: v.string('not a string'),
    samples: bounded(sample, B.samplesPerSet),
    density: v.object(
      {
        samples: count,
        thresholds: bounded(finite, B.thresholds),
        counts: layerMatrix(bounded(count, B.thresholds)),
        sumMeanA: layerMatrix(finite),
        histograms: layerMatrix(histogram),
      },
      'missing or not an object',
    ),
  },
  'not an object',
);

export const PairSchema = v.object(
  {
    a: v.string('a and b must be set names'),
    b: v.string('a and b must be set names'),
    shift: v.optional(count),
    index: v.optional(bounded(v.tuple([count, count], 'not a pair of indices'), B.pairs)),
    llmdcos: bounded(bounded(finite, B.layers), B.samplesPerSet),
  },
  'not an object',
);

const names = (most: number) => bounded(v.string('not a string'), most);
const shard = v.object(
  {
    index: count,
    count: v.pipe(positiveInt, v.maxValue(4096, 'at most 4096 shards')),
    by: v.picklist(['units', 'samples'], 'units or samples'),
    sets: names(B.sets),
    pairs: bounded(v.tuple([v.string(), v.string(), count], 'not [a, b, shift]'), B.pairs),
    samples: v.optional(bounded(bounded(count, B.samplesPerSet), B.sets)),
  },
  'not an object',
);

/** The model's configuration: its layer count bounded first (everything sized by it). */
const config = v.pipe(
  v.looseObject(
    {
      blockCount: v.pipe(
        v.number(`missing or not an integer from 1 to ${B.layers}`),
        v.integer(`missing or not an integer from 1 to ${B.layers}`),
        v.minValue(1, `missing or not an integer from 1 to ${B.layers}`),
        v.maxValue(B.layers, `missing or not an integer from 1 to ${B.layers}`),
      ),
      name: v.optional(v.string('not a string')),
    },
    'not an object',
  ),
  v.transform((c) => c as unknown as LlamaConfig),
);

export const ResultsSchema = v.object(
  {
    schema: v.literal('paramscope.results/1', 'expected "paramscope.results/1"'),
    createdAt: v.string('not a string'),
    engine: v.object(
      {
        backend: v.picklist(['reference', 'gpu'], 'reference or gpu'),
        precision: v.picklist(['f32', 'f16', 'f64'], 'f32, f16 or f64'),
        adapter: v.optional(v.string('not a string')),
      },
      'not an object',
    ),
    model: v.object(
      {
        name: v.string('not a string'),
        file: v.string('not a string'),
        config,
        matrixParameters: v.pipe(
          bounded(positiveInt, MATRICES.length),
          v.length(MATRICES.length, `expected ${MATRICES.length} positive integers`),
        ),
      },
      'not an object',
    ),
    settings: v.object(
      {
        metric: v.picklist(METRICS, `one of ${METRICS.join(', ')}`),
        maxTokens: positiveInt,
        thresholds: v.pipe(
          bounded(finite, B.thresholds),
          v.minLength(1, `an array of 1 to ${B.thresholds} numbers`),
        ),
      },
      'not an object',
    ),
    matrices: v.pipe(
      bounded(v.string(), MATRICES.length),
      v.check((m) => m.join() === MATRICES.join(), `expected ${MATRICES.join(',')}`),
    ),
    sets: bounded(SetSchema, B.sets),
    pairs: bounded(PairSchema, B.pairs),
    shard: v.optional(shard),
  },
  'not an object',
);

/** valibot's issues as "path: what" lines (at most `most`, each once). */
export function issueLines(issues: v.BaseIssue<unknown>[], most = 20): string[] {
  const lines = issues.map((i) => {
    const path = (i.path ?? [])
      .map((p, k) => (typeof p.key === 'number' ? `[${p.key}]` : `${k ? '.' : ''}${String(p.key)}`))
      .join('');
    const missing = i.kind === 'schema' && i.received === 'undefined' && path;
    return `${path || '$'}: ${missing ? 'missing' : i.message}`;
  });
  return [...new Set(lines)].slice(0, most);
}
