// The STS lab's run and its document (docs/sts-schema.md), shared by `npm run sts` and the app:
// the distinct sentences of a pairs file become one set (a sentence repeated across pairs is one
// sample: one forward and backward per run), the pairs an explicit index list over it, and the
// output the paramscope.sts/1 document — LLMDcos per pair and layer, the window's and each
// layer's Spearman ρ, the bootstrap interval, and the hidden-state baseline.
import { spearman } from '../analysis/spearman';
import {
  BOOTSTRAP_RESAMPLES,
  hiddenCosine,
  stsStatistics,
  type StsStatistics,
} from '../analysis/sts';
import { defaultThreshold } from '../analysis/density';
import type { Metric } from '../analysis/metrics';
import type { Results } from '../analysis/results';
import type { Sample } from '../samples/load';
import type { SentencePair } from '../samples/pairs';
import type { RunOutput, RunRequest } from './types';

export const STS_SCHEMA = 'paramscope.sts/1';

/** The set the distinct sentences form in an STS run. */
export const STS_SET = 'sentences';

/** A pair of sentences as token ids, with where each came from and the gold score. */
export interface TokenPair {
  a: { source: string; tokens: number[] };
  b: { source: string; tokens: number[] };
  score: number;
}

/** Sentence pairs as token ids, each sentence alone as `tokenize` makes it (BOS + its tokens). */
export const tokenPairs = (pairs: SentencePair[], tokenize: (s: Sample) => number[]): TokenPair[] =>
  pairs.map((p) => ({
    a: { source: p.a.source, tokens: tokenize(p.a) },
    b: { source: p.b.source, tokens: tokenize(p.b) },
    score: p.score,
  }));

/** One metric's run over the pairs: its request, the per-pair measures, and its time. */
export interface StsMetricRun {
  metric: Metric;
  req: RunRequest;
  measures: { llmdcos: number[][]; cosine: number[] };
  seconds: number;
}

/**
 * The STS lab's runs, the same in the page and in `npm run sts`: for each metric in turn, the
 * request over the pairs' distinct sentences, the engine's run of it (`run`: the page's GPU, or
 * either backend of the CLI; the metric is req.metric), and the per-pair measures. Each finished
 * metric goes to `onRun` as it ends, so that a later metric failing or being cancelled keeps it;
 * a failing run throws.
 */
export async function stsRuns(
  pairs: TokenPair[],
  metrics: Metric[],
  maxTokens: number,
  layers: number,
  run: (req: RunRequest) => Promise<RunOutput>,
  onRun: (r: StsMetricRun) => void = () => {},
): Promise<StsMetricRun[]> {
  const done: StsMetricRun[] = [];
  for (const metric of metrics) {
    const req = stsRequest(pairs, metric, maxTokens, layers);
    const started = performance.now();
    const out = await run(req);
    const r = {
      metric,
      req,
      measures: stsMeasures(out, req),
      seconds: (performance.now() - started) / 1000,
    };
    done.push(r);
    onRun(r);
  }
  return done;
}

/** The run of `pairs`: each distinct token sequence once, the pairs as indices into them. */
export function stsRequest(
  pairs: TokenPair[],
  metric: Metric,
  maxTokens: number,
  L: number,
): RunRequest {
  const samples: { source: string; tokens: number[] }[] = [];
  const seen = new Map<string, number>();
  const indexOf = (x: TokenPair['a']) => {
    const key = x.tokens.join(',');
    let i = seen.get(key);
    if (i === undefined) {
      i = samples.push({ source: x.source, tokens: x.tokens }) - 1;
      seen.set(key, i);
    }
    return i;
  };
  const index = pairs.map((p) => [indexOf(p.a), indexOf(p.b)] as [number, number]);
  return {
    sets: [{ name: STS_SET, samples }],
    pairs: [{ a: STS_SET, b: STS_SET, index }],
    thresholds: [defaultThreshold(L)],
    metric,
    maxTokens,
    pooledHidden: true,
  };
}

export interface StsPairRow {
  a: string;
  b: string;
  score: number;
  llmdcos: number[];
  pairScore: number;
}

/** paramscope.sts/1 (docs/sts-schema.md). */
export interface StsDocument {
  schema: typeof STS_SCHEMA;
  createdAt: string;
  engine: Results['engine'];
  model: { name: string; file: string; layers: number };
  settings: {
    metric: Metric;
    maxTokens: number;
    seed: number;
    resamples: number;
    /** distinct sentences scored (a sentence in several pairs counts once) */
    sentences: number;
  };
  window: [number, number];
  n: number;
  pairs: StsPairRow[];
  spearman: number | null;
  spearmanPerLayer: (number | null)[];
  interval: [number | null, number | null];
  baseline: { cosine: number[]; spearman: number | null };
}

/** NaN (an undefined ρ) is written as null. */
const orNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The per-pair LLMDcos and baseline cosines of an STS run's output. */
export function stsMeasures(out: RunOutput, req: RunRequest) {
  const index = req.pairs[0].index!;
  const llmdcos = out.pairs[0].llmdcos;
  const pooled = out.pooled?.[0];
  if (!pooled) throw new Error('the STS run returned no pooled hidden states');
  const cosine = index.map(([i, j]) => hiddenCosine(pooled[i], pooled[j]));
  return { llmdcos, cosine };
}

/** The document of an STS run: its measures, statistics over `window`, and where it came from. */
export function stsDocument(
  pairs: TokenPair[],
  req: RunRequest,
  measures: { llmdcos: number[][]; cosine: number[] },
  window: [number, number],
  meta: { engine: Results['engine']; model: StsDocument['model']; seed: number },
): StsDocument {
  const gold = pairs.map((p) => p.score);
  const stats: StsStatistics = stsStatistics(measures.llmdcos, gold, window, meta.seed);
  return {
    schema: STS_SCHEMA,
    createdAt: new Date().toISOString(),
    engine: meta.engine,
    model: meta.model,
    settings: {
      metric: req.metric,
      maxTokens: req.maxTokens,
      seed: meta.seed,
      resamples: BOOTSTRAP_RESAMPLES,
      sentences: req.sets[0].samples.length,
    },
    window: stats.window,
    n: stats.n,
    pairs: pairs.map((p, i) => ({
      a: p.a.source,
      b: p.b.source,
      score: p.score,
      llmdcos: measures.llmdcos[i],
      pairScore: stats.pairScores[i],
    })),
    spearman: orNull(stats.spearman),
    spearmanPerLayer: stats.spearmanPerLayer.map(orNull),
    interval: [orNull(stats.interval[0]), orNull(stats.interval[1])],
    baseline: { cosine: measures.cosine, spearman: orNull(spearman(measures.cosine, gold)) },
  };
}
