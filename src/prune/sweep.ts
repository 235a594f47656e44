// The pruning lab's flows as plain async functions over the engine (the app's store calls them;
// tests/gpu/prune-sweep.test.ts runs them in Node): a sweep — the dense perplexity once per basis,
// OWL's outlier ratios once per basis and M, then each wanted point from the cache or pruned on
// the GPU (the shared model pruned in place and put back to the file's bytes whatever happens) and
// measured by perplexity — and the export of one point as a GGUF image. A failed or cancelled point
// adds nothing; the points finished before it have been handed to onPoint.
import type { GgufFile } from '../gguf/reader';
import type { GpuContext, Precision } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import type { LlamaConfig } from '../model/config';
import { entry, type CacheStore } from '../cache/store';
import { gpuPerplexity, type PerplexitySample } from '../engine/perplexity';
import { gpuDenseNorms, readPrunedTensors, withPruned } from './gpu';
import { fileWeights, owlRatios, owlSparsity } from './owl';
import { prunedGguf } from './export';
import { allocationKind, pointKey, type LabAllocation, type LabPoint } from './lab';
import { pruneKind, type PruneMethod } from './select';
import type { PruneRequest } from './prune';

/** The model a flow prunes: on the GPU, its file (the dense bytes), and what names it. */
export interface LabModel {
  ctx: GpuContext;
  model: GpuLlama;
  file: GgufFile;
  config: LlamaConfig;
  /** content key (src/cache/keys.ts modelKey) and display name */
  key: string;
  name: string;
  /** the precision `ctx` runs at (part of each point's cache key) */
  precision: Precision;
}

/** The tokens a flow measures on, and the basis string that names them (with the model). */
export interface LabInputs {
  evalSamples: PerplexitySample[];
  /** calibration samples' tokens (null when no method or allocation asked for them) */
  calibration: number[][] | null;
  basis: string;
}

export interface LabSettings {
  seed: number;
  /** OWL's M and λ (src/prune/owl.ts) */
  owlM: number;
  owlLambda: number;
  /** the density allocation's S_i at mean S (null: no density run yet) */
  densitySparsity: (S: number) => number[] | null;
}

/** What a sweep measured before (kept by the caller): reused when its basis still holds. */
export interface LabKnown {
  dense: { ppl: number; tokens: number } | null;
  owl: { key: string; ratios: number[] } | null;
}

export interface SweepHooks {
  signal?: AbortSignal;
  onProgress?: (fraction: number, label: string) => void;
  /** each measured or cached point, as soon as it is there */
  onPoint?: (point: LabPoint) => void;
  /** the dense perplexity and OWL's ratios when measured */
  onKnown?: (known: LabKnown) => void;
}

export interface SweepPoint {
  method: PruneMethod;
  allocation: LabAllocation;
  S: number;
}

/** What OWL's ratios depend on beyond the basis: M. */
export const owlKey = (basis: string, M: number) => `${basis} · M ${M}`;

/** S_i of a point; null when the density allocation has no counts (or OWL no ratios) yet. */
export function layerSparsity(
  allocation: LabAllocation,
  S: number,
  L: number,
  s: LabSettings,
  owl: LabKnown['owl'],
): number[] | null {
  const kind = allocationKind(allocation);
  if (kind.density) return s.densitySparsity(S);
  if (kind.outliers) return owl ? owlSparsity(owl.ratios, S, s.owlLambda) : null;
  return new Array(L).fill(S);
}

/** The request that prunes as `method` at S_i (in the allocation's N:M pattern, if any). */
export function labRequest(
  method: PruneMethod,
  sparsity: number[],
  inp: LabInputs,
  allocation: LabAllocation,
  seed: number,
): PruneRequest {
  const pattern = allocationKind(allocation).pattern;
  return {
    method,
    sparsity,
    seed,
    calibration: inp.calibration ?? undefined,
    ...(pattern ? { pattern: { ...pattern } } : {}),
  };
}

/** OWL's ratios on the dense model (the calibration walk on the GPU), unless `known` has them. */
async function owlOf(
  m: LabModel,
  inp: LabInputs,
  s: LabSettings,
  known: LabKnown['owl'],
  signal: AbortSignal | undefined,
  report: (fraction: number, what: string) => void,
): Promise<{ key: string; ratios: number[] }> {
  const key = owlKey(inp.basis, s.owlM);
  if (known?.key === key) return known;
  const L = m.config.blockCount;
  const walk = (each: Parameters<typeof gpuDenseNorms>[3]) =>
    gpuDenseNorms(
      m.ctx,
      m.model,
      inp.calibration!,
      (l, norms) => (report(l / L, `OWL's outlier ratios: layer ${l + 1}/${L}`), each(l, norms)),
      signal,
    );
  return { key, ratios: await owlRatios(m.config, s.owlM, walk, fileWeights(m.file, m.config)) };
}

/** One point: the shared model pruned, its perplexity measured, the dense weights put back. */
async function measure(
  m: LabModel,
  w: SweepPoint,
  S_i: number[],
  inp: LabInputs,
  seed: number,
  signal: AbortSignal | undefined,
  report: (fraction: number, what: string) => void,
): Promise<LabPoint> {
  const t0 = performance.now();
  const req = labRequest(w.method, S_i, inp, w.allocation, seed);
  const onLayer = (d: number, of: number) => report((0.5 * d) / of, `layer ${d}/${of}`);
  return withPruned(m.ctx, m.model, m.file, req, { signal, onLayer }, async (pruned) => {
    const p = await gpuPerplexity(m.ctx, m.model, inp.evalSamples, {
      signal,
      onProgress: (d, of) => report(0.5 + (0.5 * d) / of, 'perplexity'),
    });
    return {
      ...w,
      layerSparsity: S_i,
      pruned,
      ppl: p.ppl,
      tokens: p.tokens,
      seconds: (performance.now() - t0) / 1000,
    };
  });
}

/**
 * The dense perplexity (unless known), OWL's ratios (if a point needs them), then every wanted
 * point from `cache` or measured and stored there. Returns what it knows and the points in order.
 */
export async function pruneSweep(
  m: LabModel,
  inp: LabInputs,
  wanted: SweepPoint[],
  s: LabSettings,
  known: LabKnown,
  cache: CacheStore,
  hooks: SweepHooks = {},
): Promise<{ known: LabKnown; points: LabPoint[]; fromCache: number }> {
  const { signal } = hooks;
  const steps = wanted.length + 1;
  const report = (i: number, inner: number, label: string) => {
    const fraction = (i + inner) / steps;
    hooks.onProgress?.(fraction, label);
  };
  const now: LabKnown = { ...known };
  if (!now.dense) {
    const d = await gpuPerplexity(m.ctx, m.model, inp.evalSamples, {
      signal,
      onProgress: (done, of) => report(0, done / of, 'dense perplexity'),
    });
    now.dense = { ppl: d.ppl, tokens: d.tokens };
    hooks.onKnown?.({ ...now });
  }
  if (wanted.some((w) => allocationKind(w.allocation).outliers)) {
    const owl = await owlOf(m, inp, s, now.owl, signal, (f, what) => report(0, f, what));
    if (owl !== now.owl) hooks.onKnown?.({ ...now, owl });
    now.owl = owl;
  }
  const points: LabPoint[] = [];
  let fromCache = 0;
  for (const [i, w] of wanted.entries()) {
    const S_i = layerSparsity(w.allocation, w.S, m.config.blockCount, s, now.owl);
    if (!S_i) throw new Error(`${w.allocation} has no S_i yet`);
    const label = `${w.method} ${w.allocation} S = ${w.S}`;
    const key = await pointKey({
      model: m.key,
      precision: m.precision,
      method: w.method,
      layerSparsity: S_i,
      seed: s.seed,
      calibration: pruneKind(w.method).calibration ? inp.calibration : null,
      eval: inp.evalSamples.map((x) => x.tokens),
      ...(allocationKind(w.allocation).pattern ? { pattern: w.allocation } : {}),
    });
    const hit = (await cache.get<LabPoint>(key))?.data;
    const point = hit
      ? { ...hit, cached: true, seconds: 0 }
      : await measure(m, w, S_i, inp, s.seed, signal, (f, what) =>
          report(i + 1, f, `${label}: ${what}`),
        );
    if (hit) fromCache++;
    else await cache.putMany([[key, entry('prune', `${m.name}: ${label}`, point)]]);
    points.push(point);
    hooks.onPoint?.(point);
  }
  return { known: now, points, fromCache };
}

/** A point's pruned model as a GGUF image (the shared model pruned, read back, put back). */
export async function prunedImage(
  m: LabModel,
  point: LabPoint,
  inp: LabInputs,
  seed: number,
  hooks: { signal?: AbortSignal; onProgress?: (fraction: number, label: string) => void } = {},
): Promise<Uint8Array> {
  const label = `pruning ${point.method} ${point.allocation} S = ${point.S} for export`;
  hooks.onProgress?.(0, label);
  const onLayer = (d: number, of: number) => hooks.onProgress?.((0.8 * d) / of, label);
  const req = labRequest(point.method, point.layerSparsity, inp, point.allocation, seed);
  const pattern = allocationKind(point.allocation).pattern;
  return withPruned(m.ctx, m.model, m.file, req, { signal: hooks.signal, onLayer }, async () => {
    hooks.onProgress?.(0.8, 'reading the pruned weights back');
    return prunedGguf(m.file, await readPrunedTensors(m.ctx, m.model, m.file), {
      method: point.method,
      sparsity: point.S,
      allocation: pattern ? 'uniform' : point.allocation,
      layerSparsity: point.layerSparsity,
      pattern: pattern ? point.allocation : null,
    });
  });
}
