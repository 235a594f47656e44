// Merging the results of a sharded run (src/engine/shard.ts) back into the unsharded run's:
// refuses, naming the file, shards of another run (model, settings, engine, the run's sets and
// pairs), a shard given twice or missing. By units: the shards' sets and pairs in the run's
// order. By samples: each set's samples back in order, its density recomputed from the added
// per-weight sums (the shards' scores files) — see mergeSampleShards.
import { RESULTS_SCHEMA, type Results, type SetResult } from '../analysis/results';
import { MeanAccumulator, setDensity } from '../analysis/density';
import { settingsKey, tokenIdsHash } from '../cache/keys';
import { MATRICES, matrixShape, type MatrixName } from '../model/config';
import type { ShardInfo } from '../analysis/results';

/** A shard's results and the name it is known by in messages (its file). */
export interface Shard {
  name: string;
  results: Results;
}

/** The run's identity a shard must share with the others: all but its own part. */
function runKey(r: Results): string {
  const s = r.shard!;
  return JSON.stringify({
    model: [r.model.name, r.model.config, r.model.matrixParameters],
    settings: settingsKey(r.settings),
    engine: [r.engine.backend, r.engine.precision],
    shard: [s.count, s.by, s.sets, s.pairs],
  });
}

/** Checks the shards make up one whole run; returns them in shard order. */
export function checkShards(shards: Shard[]): Shard[] {
  if (!shards.length) throw new Error('no results to merge');
  for (const s of shards)
    if (!s.results.shard)
      throw new Error(`${s.name}: not the results of a shard (run analyze with --shard I/N)`);
  const key = runKey(shards[0].results);
  for (const s of shards.slice(1))
    if (runKey(s.results) !== key)
      throw new Error(
        `${s.name}: a shard of another run than ${shards[0].name} (model, settings, engine, sets or pairs differ)`,
      );
  const { count } = shards[0].results.shard!;
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const i = s.results.shard!.index;
    const twice = byIndex.get(i);
    if (twice) throw new Error(`${s.name}: shard ${i}/${count} again (also ${twice.name})`);
    byIndex.set(i, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length)
    throw new Error(`shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!);
}

/** The merged document: the first shard's fields, the latest date, no shard block. */
function merged(shards: Shard[], sets: SetResult[], pairs: Results['pairs']): Results {
  const r = shards[0].results;
  const createdAt = shards
    .map((s) => s.results.createdAt)
    .sort()
    .at(-1)!;
  return { ...r, schema: RESULTS_SCHEMA, createdAt, sets, pairs, shard: undefined };
}

/** Shards by units, merged: bit for bit the unsharded run's sets and pairs, in its order. */
export function mergeUnitShards(input: Shard[]): Results {
  const shards = checkShards(input);
  const info = shards[0].results.shard!;
  if (info.by !== 'units') throw new Error(`${shards[0].name}: sharded by ${info.by}, not units`);
  const setOf = new Map<string, SetResult>();
  const pairOf = new Map<string, Results['pairs'][number]>();
  const pk = (a: string, b: string, shift: number) => JSON.stringify([a, b, shift]);
  for (const s of shards) {
    for (const set of s.results.sets) {
      if (setOf.has(set.name))
        throw new Error(`${s.name}: set ${JSON.stringify(set.name)} is in two shards`);
      setOf.set(set.name, set);
    }
    for (const p of s.results.pairs) pairOf.set(pk(p.a, p.b, p.shift ?? 0), p);
  }
  const sets = info.sets.map((n) => {
    const set = setOf.get(n);
    if (!set) throw new Error(`set ${JSON.stringify(n)} is in no shard`);
    return set;
  });
  const pairs = info.pairs.map(([a, b, shift]) => {
    const p = pairOf.get(pk(a, b, shift));
    if (!p) throw new Error(`pair ${a}:${b} is in no shard`);
    return p;
  });
  return merged(shards, sets, pairs);
}

/** A shard's per-weight sums of a set (its scores file), matrix m of layer l in any row order. */
export interface ShardSums {
  /** the file's metadata (docs/scores-format.md) */
  meta(set: string): Promise<Record<string, string>>;
  matrix(set: string, l: number, m: MatrixName): Promise<Float32Array>;
}

/** Checks a shard's scores file of a set against its results (metric, samples, token ids). */
async function checkSums(s: Shard, sums: ShardSums, set: SetResult, modelKey: string | null) {
  const meta = await sums.meta(set.name);
  const tokens = await tokenIdsHash({
    name: set.name,
    samples: set.samples.map((x) => ({ source: x.source, tokens: x.tokenIds })),
  });
  const want: Record<string, string> = {
    schema: 'paramscope.scores/1',
    metric: s.results.settings.metric,
    samples: String(set.samples.length),
    token_ids_sha256: tokens,
  };
  for (const [k, v] of Object.entries(want))
    if (meta[k] !== v)
      throw new Error(
        `scores of ${s.name}, set ${JSON.stringify(set.name)}: ${k} is ${JSON.stringify(meta[k])}, its results say ${JSON.stringify(v)}`,
      );
  if (modelKey !== null && meta.model_key !== modelKey)
    throw new Error(`scores of ${s.name}: from another model file (model_key ${meta.model_key})`);
  return meta.model_key;
}

/**
 * Shards by samples, merged: each set's samples in the run's order; its density (counts, Σ mean,
 * histograms) recomputed from the shards' per-weight sums added in f64 — equal to the unsharded
 * run but where a weight's mean lies within f32 rounding of a threshold or a histogram edge.
 * onSums gets each merged matrix (for a merged scores file).
 */
export async function mergeSampleShards(
  input: Shard[],
  sums: ShardSums[],
  onSums?: (set: string, l: number, m: MatrixName, sums: Float32Array) => Promise<void>,
): Promise<Results> {
  const shards = checkShards(input);
  const order = shards.map((s) => input.indexOf(s));
  const info = shards[0].results.shard! as ShardInfo;
  if (info.by !== 'samples')
    throw new Error(`${shards[0].name}: sharded by ${info.by}, not samples`);
  const r0 = shards[0].results;
  const c = r0.model.config;
  let modelKey: string | null = null;
  const sets: SetResult[] = [];
  for (const [si, name] of info.sets.entries()) {
    const parts = shards.map((s) => s.results.sets[si]);
    parts.forEach((p, k) => {
      if (p?.name !== name)
        throw new Error(`${shards[k].name}: set ${si} is not ${JSON.stringify(name)}`);
    });
    const n = parts.reduce((a, p) => a + p.samples.length, 0);
    const samples: SetResult['samples'] = new Array(n);
    parts.forEach((p, k) =>
      p.samples.forEach((x, q) => (samples[shards[k].results.shard!.samples![si][q]] = x)),
    );
    if (samples.some((x) => !x) || samples.length !== n)
      throw new Error(`set ${JSON.stringify(name)}: the shards' samples do not make up its ${n}`);
    for (const [k, s] of shards.entries())
      modelKey = await checkSums(s, sums[order[k]], parts[k], modelKey);
    const fin = [];
    for (let l = 0; l < c.blockCount; l++) {
      const row = [];
      for (const m of MATRICES) {
        const { O, I } = matrixShape(c, m);
        const acc = new MeanAccumulator(O * I);
        for (const k of order) {
          const x = await sums[k].matrix(name, l, m);
          for (let i = 0; i < x.length; i++) acc.sum[i] += x[i];
        }
        acc.samples = n;
        if (onSums) await onSums(name, l, m, Float32Array.from(acc.sum));
        row.push(acc.finish(r0.settings.thresholds));
      }
      fin.push(row);
    }
    sets.push({ name, samples, density: setDensity(n, r0.settings.thresholds, fin) });
  }
  return merged(shards, sets, []);
}
