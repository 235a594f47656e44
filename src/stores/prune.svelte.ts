// The pruning lab's state and actions: a calibration set and an eval set from the session, the
// methods × allocations × sparsities to prune at, each point pruned on the page's GPU (the shared
// model pruned in place, then put back to the file's bytes whatever happens) and measured by
// perplexity; points cached by what they depend on, the lab saved for a reload, a pruned model
// exported as GGUF. A failed or cancelled point adds nothing; finished points stay.
import { tokensOf } from '../samples/load';
import { checkPerplexitySamples, gpuPerplexity, type PerplexitySample } from '../engine/perplexity';
import { gpuPrune, readPrunedTensors, restoreDense } from '../prune/gpu';
import { prunedGguf } from '../prune/export';
import { labTable, pointKey, sweepPoints, type LabAllocation, type LabPoint } from '../prune/lab';
import type { PruneMethod } from '../prune/select';
import { entry } from '../cache/store';
import { endedEarly, oneLine } from '../util/message';
import { download } from '../util/download';
import { gpuState } from './gpu.svelte';
import { cache, refreshCache, saveSessionEntry } from './cache.svelte';
import { ensureGpuModel, runContext } from './model';
import { session } from './session.svelte';
import { densitySparsity } from './allocation.svelte';

/** The methods the lab offers, in order. */
export const LAB_METHODS: PruneMethod[] = ['wanda', 'magnitude', 'score', 'random'];

class PruneState {
  calibration = $state('');
  evalSet = $state('');
  methods = $state<PruneMethod[]>(['wanda', 'magnitude']);
  allocations = $state<LabAllocation[]>(['uniform', 'density']);
  /** the table's S, and the one "Prune" uses */
  sparsity = $state(0.5);
  sweep = $state('0.3, 0.5, 0.7');
  seed = $state(0);
  running = $state(false);
  progress = $state.raw<{ fraction: number; label: string; etaSeconds?: number } | null>(null);
  points = $state.raw<LabPoint[]>([]);
  dense = $state.raw<{ ppl: number; tokens: number } | null>(null);
  /** what the points were measured on: model key, eval and calibration sets */
  basis = $state('');
  error = $state('');
  note = $state('');
  restored = $state(false);
}

export const lab = new PruneState();

let abort: AbortController | null = null;
const LAST = 'prune:last';

interface Inputs {
  evalSamples: PerplexitySample[];
  calibration: number[][] | null;
  basis: string;
}

/** The eval and calibration tokens of the chosen sets; a named error when they cannot serve. */
function inputs(methods: PruneMethod[]): Inputs {
  const m = session.model;
  if (!m) throw new Error('Load a model first.');
  const byName = (name: string, what: string) => {
    const s = session.sets.find((x) => x.name === name);
    if (!s) throw new Error(`Choose ${what} set (one of your sample sets).`);
    return s;
  };
  const ev = byName(lab.evalSet, 'an evaluation');
  const evalSamples = ev.samples.map((s) => ({
    source: `${ev.name}: ${s.source}`,
    tokens: tokensOf(s, m.tokenizer, session.maxTokens),
  }));
  checkPerplexitySamples(evalSamples, m.config.contextLength);
  const needs = methods.some((x) => x === 'wanda' || x === 'score');
  const cal = needs ? byName(lab.calibration, 'a calibration') : null;
  const calibration = cal
    ? cal.samples.map((s) => tokensOf(s, m.tokenizer, session.maxTokens))
    : null;
  const basis = `${m.key} · eval ${ev.name} · calibration ${cal?.name ?? '—'} · ${session.maxTokens} tokens · ${session.precision}`;
  return { evalSamples, calibration, basis };
}

/** S_i of a point; null when the density allocation has no counts yet. */
function layerSparsity(allocation: LabAllocation, S: number, L: number): number[] | null {
  return allocation === 'uniform' ? new Array(L).fill(S) : densitySparsity(S);
}

/** Why the lab cannot run now, or ''. */
export function pruneBlocked(): string {
  if (gpuState.current.status !== 'ready') return 'WebGPU is not ready.';
  if (!session.model) return 'Load a model first.';
  if (session.running) return 'A run of the sets is in progress.';
  if (session.labRunning && !lab.running) return `${session.labRunning} is running.`;
  if (!lab.evalSet) return 'Choose an evaluation set.';
  return '';
}

/** Prunes and measures every method × allocation at each sparsity of `sparsities`. */
export async function runPruneLab(sparsities: number[]): Promise<void> {
  const g = gpuState.current;
  const m = session.model;
  if (lab.running || pruneBlocked() || g.status !== 'ready' || !m) return;
  lab.error = '';
  lab.note = '';
  let inp: Inputs;
  const wanted = sweepPoints(lab.methods, lab.allocations, sparsities);
  try {
    if (!wanted.length) throw new Error('Choose at least one method and one allocation.');
    inp = inputs(lab.methods);
    if (lab.allocations.includes('density') && !densitySparsity(0.5))
      throw new Error(
        'The density allocation needs a set’s density: run a set and open the allocation view.',
      );
  } catch (e) {
    lab.error = oneLine((e as Error).message);
    return;
  }
  if (inp.basis !== lab.basis) [lab.points, lab.dense, lab.basis] = [[], null, inp.basis];
  lab.running = true;
  session.labRunning = 'The pruning lab';
  abort = new AbortController();
  const started = performance.now();
  try {
    const gm = await ensureGpuModel();
    const ctx = runContext(gm.ctx, session.precision);
    const L = m.config.blockCount;
    const steps = wanted.length + 1;
    const report = (i: number, inner: number, label: string) => {
      const fraction = (i + inner) / steps;
      const el = (performance.now() - started) / 1000;
      lab.progress = {
        fraction,
        label,
        etaSeconds: fraction > 0.02 ? (el / fraction) * (1 - fraction) : undefined,
      };
    };
    if (!lab.dense) {
      const d = await gpuPerplexity(ctx, gm.model, inp.evalSamples, {
        signal: abort.signal,
        onProgress: (done, of) => report(0, done / of, 'dense perplexity'),
      });
      lab.dense = { ppl: d.ppl, tokens: d.tokens };
    }
    for (const [i, w] of wanted.entries()) {
      const S_i = layerSparsity(w.allocation, w.S, L)!;
      const label = `${w.method} ${w.allocation} S = ${w.S}`;
      const key = await pointKey({
        model: m.key,
        precision: session.precision,
        method: w.method,
        layerSparsity: S_i,
        seed: lab.seed,
        calibration: w.method === 'wanda' || w.method === 'score' ? inp.calibration : null,
        eval: inp.evalSamples.map((s) => s.tokens),
      });
      const hit = (await cache.get<LabPoint>(key))?.data;
      const point =
        hit ??
        (await measure(ctx, gm.model, w, S_i, inp, (f, what) =>
          report(i + 1, f, `${label}: ${what}`),
        ));
      lab.points = [
        ...lab.points.filter((p) => !same(p, w)),
        hit ? { ...hit, cached: true, seconds: 0 } : point,
      ];
      if (!hit) await cache.putMany([[key, entry('prune', `${m.name}: ${label}`, point)]]);
    }
    const fromCache = lab.points.filter((p) => p.cached && wanted.some((w) => same(p, w))).length;
    lab.note = `Done: ${wanted.length} pruned model(s)${fromCache ? ` (${fromCache} from the cache)` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
  } catch (e) {
    lab.error = endedEarly(e, 'model', 'ones');
  } finally {
    lab.running = false;
    session.labRunning = '';
    lab.progress = null;
    abort = null;
    void refreshCache();
    void saveLab();
  }
}

const same = (p: LabPoint, w: { method: PruneMethod; allocation: LabAllocation; S: number }) =>
  p.method === w.method && p.allocation === w.allocation && p.S === w.S;

/** One point: prune the shared model, measure, and always put the dense weights back. */
async function measure(
  ctx: Parameters<typeof gpuPrune>[0],
  model: Parameters<typeof gpuPrune>[1],
  w: { method: PruneMethod; allocation: LabAllocation; S: number },
  S_i: number[],
  inp: Inputs,
  report: (fraction: number, what: string) => void,
): Promise<LabPoint> {
  const t0 = performance.now();
  const file = session.model!.file;
  try {
    const pruned = await gpuPrune(
      ctx,
      model,
      {
        method: w.method,
        sparsity: S_i,
        seed: lab.seed,
        calibration: inp.calibration ?? undefined,
      },
      { signal: abort?.signal, onLayer: (d, of) => report((0.5 * d) / of, `layer ${d}/${of}`) },
    );
    const p = await gpuPerplexity(ctx, model, inp.evalSamples, {
      signal: abort?.signal,
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
  } finally {
    await restoreDense(ctx, model, file);
  }
}

/** Prunes the model as `point` says and downloads it as GGUF; the dense model is put back. */
export async function exportPruned(point: LabPoint): Promise<void> {
  const m = session.model;
  if (!m || lab.running || pruneBlocked()) return;
  lab.running = true;
  session.labRunning = 'The pruning lab';
  lab.error = '';
  try {
    const inp = inputs([point.method]);
    const gm = await ensureGpuModel();
    const ctx = runContext(gm.ctx, session.precision);
    lab.progress = {
      fraction: 0,
      label: `pruning ${point.method} ${point.allocation} S = ${point.S} for export`,
    };
    try {
      const label = `pruning ${point.method} ${point.allocation} S = ${point.S} for export`;
      const t0 = performance.now();
      await gpuPrune(
        ctx,
        gm.model,
        {
          method: point.method,
          sparsity: point.layerSparsity,
          seed: lab.seed,
          calibration: inp.calibration ?? undefined,
        },
        { onLayer: (d, of) => (lab.progress = { fraction: (0.8 * d) / of, label }) },
      );
      lab.progress = { fraction: 0.8, label: 'reading the pruned weights back' };
      const tensors = await readPrunedTensors(ctx, gm.model, m.file);
      const image = await prunedGguf(m.file, tensors, {
        method: point.method,
        sparsity: point.S,
        allocation: point.allocation,
        layerSparsity: point.layerSparsity,
      });
      const name = `${m.fileName.replace(/\.gguf$/i, '')}-${point.method}-${point.allocation}-${point.S}.gguf`;
      download(name, new Blob([image as Uint8Array<ArrayBuffer>]), 'application/octet-stream');
      lab.note = `Exported ${name} (${(image.byteLength / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s): its perplexity on ${lab.evalSet} should read ${point.ppl.toFixed(4)}.`;
    } finally {
      await restoreDense(ctx, gm.model, m.file);
    }
  } catch (e) {
    lab.error = `The export failed: ${oneLine((e as Error).message)}`;
  } finally {
    lab.running = false;
    session.labRunning = '';
    lab.progress = null;
  }
}

export function cancelPruneLab(): void {
  abort?.abort();
}

export const tableAt = (S: number) => labTable(lab.points, lab.dense?.ppl ?? null, S);

interface PruneSaved {
  schema: 'paramscope.prune-lab/1';
  calibration: string;
  evalSet: string;
  methods: PruneMethod[];
  allocations: LabAllocation[];
  sparsity: number;
  sweep: string;
  seed: number;
  points: LabPoint[];
  dense: { ppl: number; tokens: number } | null;
  basis: string;
}

export async function saveLab(): Promise<void> {
  if (!lab.points.length && !lab.dense) return;
  const saved: PruneSaved = {
    schema: 'paramscope.prune-lab/1',
    calibration: lab.calibration,
    evalSet: lab.evalSet,
    methods: lab.methods,
    allocations: lab.allocations,
    sparsity: lab.sparsity,
    sweep: lab.sweep,
    seed: lab.seed,
    points: lab.points,
    dense: lab.dense,
    basis: lab.basis,
  };
  await saveSessionEntry(LAST, `Pruning lab (${lab.points.length} pruned models)`, saved);
}

export async function restoreLab(): Promise<void> {
  try {
    const d = (await cache.get<PruneSaved>(LAST))?.data;
    if (d?.schema !== 'paramscope.prune-lab/1' || !Array.isArray(d.points)) return;
    if (!d.points.every((p) => Number.isFinite(p?.ppl) && Array.isArray(p.layerSparsity))) return;
    const { schema: _, ...rest } = d;
    Object.assign(lab, rest);
  } catch {
    /* no saved lab */
  } finally {
    lab.restored = true;
  }
}
