// The pruning lab's state and actions: a calibration set and an eval set from the session, the
// methods × allocations × sparsities to prune at, each point pruned on the page's GPU (the shared
// model pruned in place, then put back to the file's bytes whatever happens) and measured by
// perplexity; points cached by what they depend on, the lab saved for a reload, a pruned model
// exported as GGUF. A failed or cancelled point adds nothing; finished points stay.
import { tokensOf } from '../samples/load';
import {
  DEFAULT_WINDOW,
  evalWindows,
  protocolLabel,
  type EvalProtocol,
} from '../engine/eval-windows';
import { checkPerplexitySamples } from '../engine/perplexity';
import { OWL_DEFAULTS, checkOwl } from '../prune/owl';
import {
  pruneSweep,
  prunedImage,
  owlKey,
  type LabInputs,
  type LabModel,
  type LabSettings,
  type SweepPoint,
} from '../prune/sweep';
import { fileMatrixTypes, reencodedNote } from '../prune/zero';
import {
  ALLOCATION_KINDS,
  allocationKind,
  namedAllocation,
  labTable,
  sweepPoints,
  type LabAllocation,
  type LabPoint,
} from '../prune/lab';
import { PRUNE_METHODS, pruneKind, type PruneMethod } from '../prune/select';
import { endedEarly, oneLine } from '../util/message';
import { download } from '../util/download';
import { gpuState } from './gpu.svelte';
import { cache, refreshCache, saveSessionEntry } from './cache.svelte';
import { ensureGpuModel, runContext } from './model';
import { session, type LoadedModel } from './session.svelte';
import { densitySparsity } from './allocation.svelte';

/** The methods the lab offers, in order. */
export const LAB_METHODS: PruneMethod[] = PRUNE_METHODS;

class PruneState {
  calibration = $state('');
  evalSet = $state('');
  methods = $state<PruneMethod[]>(['wanda', 'magnitude']);
  allocations = $state<LabAllocation[]>(
    ALLOCATION_KINDS.filter((k) => k.byDefault).map((k) => k.id),
  );
  /** the table's S, and the one "Prune" uses */
  sparsity = $state(0.5);
  sweep = $state('0.3, 0.5, 0.7');
  seed = $state(0);
  /** perplexity per eval sample, or over the eval texts joined into windows of evalWindow tokens */
  evalMode = $state<EvalProtocol['mode']>('samples');
  evalWindow = $state<number>(DEFAULT_WINDOW);
  /** OWL's outlier threshold M (× the layer's mean) and spread λ */
  owlM = $state<number>(OWL_DEFAULTS.M);
  owlLambda = $state<number>(OWL_DEFAULTS.lambda);
  /** OWL's outlier ratios D_i and what they were measured on (basis and M) */
  owl = $state.raw<{ key: string; ratios: number[] } | null>(null);
  running = $state(false);
  progress = $state.raw<{ fraction: number; label: string; etaSeconds?: number } | null>(null);
  points = $state.raw<LabPoint[]>([]);
  dense = $state.raw<{ ppl: number; tokens: number } | null>(null);
  /** what the points were measured on: model key, eval and calibration sets */
  basis = $state('');
  /** the name of the model they were measured on */
  model = $state('');
  /** the evaluation and calibration sets they were measured on (the menus may since have moved) */
  measuredEval = $state('');
  measuredCalibration = $state('');
  error = $state('');
  note = $state('');
  restored = $state(false);
}

export const lab = new PruneState();

let abort: AbortController | null = null;
const LAST = 'prune:last';

/** A flow's inputs, and the names of the sets they came from. */
interface Inputs extends LabInputs {
  evalName: string;
  calibrationName: string;
}

/**
 * The eval and calibration tokens of the chosen sets (calibration when a method or `allocations`
 * need it); a named error when they cannot serve.
 */
function inputs(methods: PruneMethod[], allocations: LabAllocation[] = []): Inputs {
  const m = session.model;
  if (!m) throw new Error('Load a model first.');
  const byName = (name: string, what: string) => {
    const s = session.sets.find((x) => x.name === name);
    if (!s) throw new Error(`Choose ${what} set (one of your sample sets).`);
    return s;
  };
  const ev = byName(lab.evalSet, 'an evaluation');
  const protocol = evalProtocol();
  const evalSamples =
    protocol.mode === 'windows'
      ? evalWindows(ev.samples, m.tokenizer, protocol.window, m.config.contextLength)
      : ev.samples.map((s) => ({
          source: `${ev.name}: ${s.source}`,
          tokens: tokensOf(s, m.tokenizer, session.maxTokens),
        }));
  checkPerplexitySamples(evalSamples, m.config.contextLength);
  const needs =
    methods.some((x) => pruneKind(x).calibration) ||
    allocations.some((a) => allocationKind(a).outliers);
  const cal = needs ? byName(lab.calibration, 'a calibration') : null;
  const calibration = cal
    ? cal.samples.map((s) => tokensOf(s, m.tokenizer, session.maxTokens))
    : null;
  // (per-sample perplexity keeps the basis it always had: points measured before stay valid)
  const ppl = protocol.mode === 'samples' ? '' : ` · perplexity ${protocolLabel(protocol)}`;
  const basis = `${m.key} · eval ${ev.name} · calibration ${cal?.name ?? '—'} · ${session.maxTokens} tokens · ${session.precision}${ppl}`;
  return { evalSamples, calibration, basis, evalName: ev.name, calibrationName: cal?.name ?? '' };
}

/** The lab's perplexity protocol. */
export const evalProtocol = (): EvalProtocol =>
  lab.evalMode === 'windows' ? { mode: 'windows', window: lab.evalWindow } : { mode: 'samples' };

/** The lab's settings for a flow (src/prune/sweep.ts). */
const settings = (): LabSettings => ({
  seed: lab.seed,
  owlM: lab.owlM,
  owlLambda: lab.owlLambda,
  densitySparsity,
});

/** OWL's ratios D_i if the lab measured them at its present M (any basis), else null. */
export const owlRatiosAtM = (): number[] | null =>
  lab.owl?.key.endsWith(owlKey('', lab.owlM)) ? lab.owl.ratios : null;

/** The loaded model on the GPU, as the flows take it. */
async function labModel(m: LoadedModel): Promise<LabModel> {
  const gm = await ensureGpuModel();
  const ctx = runContext(gm.ctx, session.precision);
  const { file, config, key, name } = m;
  return { ctx, model: gm.model, file, config, key, name, precision: session.precision };
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

/**
 * The lab's one job at a time on the shared GPU model: the page told (nothing else may use the
 * model meanwhile), Cancel wired to `signal`, and everything cleared after.
 */
async function labJob(body: (signal: AbortSignal) => Promise<void>): Promise<void> {
  lab.running = true;
  session.labRunning = 'The pruning lab';
  lab.error = '';
  abort = new AbortController();
  try {
    await body(abort.signal);
  } finally {
    lab.running = false;
    session.labRunning = '';
    lab.progress = null;
    abort = null;
  }
}

/** Prunes and measures every method × allocation at each sparsity of `sparsities`. */
export async function runPruneLab(sparsities: number[]): Promise<void> {
  const m = session.model;
  if (lab.running || pruneBlocked() || !m) return;
  lab.error = '';
  lab.note = '';
  let inp: Inputs;
  const wanted = sweepPoints(lab.methods, lab.allocations, sparsities);
  try {
    if (!wanted.length) throw new Error('Choose at least one method and one allocation.');
    inp = inputs(
      lab.methods,
      wanted.map((w) => w.allocation),
    );
    for (const w of wanted)
      if (allocationKind(w.allocation).outliers) checkOwl(w.S, lab.owlM, lab.owlLambda);
    if (lab.allocations.some((a) => allocationKind(a).density) && !densitySparsity(0.5))
      throw new Error(
        'The density allocation needs a set’s density: run a set and open the allocation view.',
      );
  } catch (e) {
    lab.error = oneLine((e as Error).message);
    return;
  }
  if (inp.basis !== lab.basis) {
    [lab.points, lab.dense, lab.basis, lab.model] = [[], null, inp.basis, m.name];
    [lab.measuredEval, lab.measuredCalibration] = [inp.evalName, inp.calibrationName];
  }
  await labJob(async (signal) => {
    try {
      await sweep(m, inp, wanted, signal);
    } catch (e) {
      lab.error = endedEarly(e, 'model', 'ones');
    }
  });
  void refreshCache();
  void saveLab();
}

/** The sweep (src/prune/sweep.ts) with the lab's state, progress and note kept up to date. */
async function sweep(m: LoadedModel, inp: Inputs, wanted: SweepPoint[], signal: AbortSignal) {
  const started = performance.now();
  const onProgress = (fraction: number, label: string) => {
    const el = (performance.now() - started) / 1000;
    const etaSeconds = fraction > 0.02 ? (el / fraction) * (1 - fraction) : undefined;
    lab.progress = { fraction, label, etaSeconds };
  };
  const same = (p: LabPoint, w: SweepPoint) =>
    p.method === w.method && p.allocation === w.allocation && p.S === w.S;
  const { fromCache } = await pruneSweep(
    await labModel(m),
    inp,
    wanted,
    settings(),
    { dense: lab.dense, owl: lab.owl },
    cache,
    {
      signal,
      onProgress,
      onKnown: (k) => ([lab.dense, lab.owl] = [k.dense, k.owl]),
      onPoint: (point) => (lab.points = [...lab.points.filter((p) => !same(p, point)), point]),
    },
  );
  lab.note = `Done: ${wanted.length} pruned model(s)${fromCache ? ` (${fromCache} from the cache)` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
}

/** Whether the lab's points were measured on the model loaded now (only then can one export). */
export const measuredHere = (): boolean =>
  !!session.model && lab.basis.startsWith(`${session.model.key} ·`);

/** Prunes the model as `point` says and downloads it as GGUF; the dense model is put back. */
export async function exportPruned(point: LabPoint): Promise<void> {
  const m = session.model;
  if (!m || lab.running || pruneBlocked() || !measuredHere()) return;
  await labJob(async (signal) => {
    try {
      await exportPoint(m, point, signal);
    } catch (e) {
      lab.error =
        (e as Error).name === 'AbortError'
          ? 'Export cancelled: nothing was written; the model is dense again.'
          : `The export failed: ${oneLine((e as Error).message)}`;
    }
  });
}

async function exportPoint(m: LoadedModel, point: LabPoint, signal: AbortSignal): Promise<void> {
  const inp = inputs([point.method], [point.allocation]);
  const t0 = performance.now();
  const image = await prunedImage(await labModel(m), point, inp, lab.seed, {
    signal,
    onProgress: (fraction, label) => (lab.progress = { fraction, label }),
  });
  const tag = point.allocation.replace(':', 'of');
  const name = `${m.fileName.replace(/\.gguf$/i, '')}-${point.method}-${tag}-${point.S}.gguf`;
  download(name, new Blob([image as Uint8Array<ArrayBuffer>]), 'application/octet-stream');
  const re = reencodedNote(fileMatrixTypes(m.file, m.config));
  lab.note = `Exported ${name} (${(image.byteLength / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s): its perplexity on ${lab.evalSet} should read ${point.ppl.toFixed(4)}${re ? `; ${re}` : ''}.`;
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
  /** absent in older saves */
  evalMode?: EvalProtocol['mode'];
  evalWindow?: number;
  owlM?: number;
  owlLambda?: number;
  owl?: { key: string; ratios: number[] } | null;
  points: LabPoint[];
  dense: { ppl: number; tokens: number } | null;
  basis: string;
  model?: string;
  /** absent in older saves */
  measuredEval?: string;
  measuredCalibration?: string;
}

/** Saves the lab: its choices always (they come back on reload), its points once measured. */
export async function saveLab(): Promise<void> {
  if (session.readOnly) return;
  const saved: PruneSaved = {
    schema: 'paramscope.prune-lab/1',
    calibration: lab.calibration,
    evalSet: lab.evalSet,
    // plain copies: IndexedDB cannot clone the $state proxies (the save failed silently)
    methods: $state.snapshot(lab.methods),
    allocations: $state.snapshot(lab.allocations),
    sparsity: lab.sparsity,
    sweep: lab.sweep,
    seed: lab.seed,
    evalMode: lab.evalMode,
    evalWindow: lab.evalWindow,
    owlM: lab.owlM,
    owlLambda: lab.owlLambda,
    owl: lab.owl,
    points: lab.points,
    dense: lab.dense,
    basis: lab.basis,
    model: lab.model,
    measuredEval: lab.measuredEval,
    measuredCalibration: lab.measuredCalibration,
  };
  await saveSessionEntry(LAST, `Pruning lab (${lab.points.length} pruned models)`, saved);
}

export async function restoreLab(): Promise<void> {
  try {
    const d = (await cache.get<PruneSaved>(LAST))?.data;
    if (d?.schema !== 'paramscope.prune-lab/1' || !Array.isArray(d.points)) return;
    if (!d.points.every((p) => Number.isFinite(p?.ppl) && Array.isArray(p.layerSparsity))) return;
    const { schema: _, ...rest } = d;
    // kinds the tables do not hold (another version's save, a tampered cache) are left out: the
    // chart and the table ask the tables for every entry they draw
    const known = (p: { method: string; allocation: string }) =>
      PRUNE_METHODS.includes(p.method as PruneMethod) && namedAllocation(p.allocation) !== null;
    rest.points = d.points.filter(known);
    rest.methods = (d.methods ?? []).filter((m) => PRUNE_METHODS.includes(m));
    rest.allocations = (d.allocations ?? []).filter((a) => namedAllocation(a) !== null);
    // OWL's settings and ratios only when they are what they claim (else the defaults, remeasured)
    const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    rest.owlM = finite(d.owlM) && d.owlM! > 0 ? d.owlM : OWL_DEFAULTS.M;
    rest.owlLambda = finite(d.owlLambda) && d.owlLambda! >= 0 ? d.owlLambda : OWL_DEFAULTS.lambda;
    rest.evalMode = d.evalMode === 'windows' ? 'windows' : 'samples';
    rest.evalWindow =
      Number.isInteger(d.evalWindow) && d.evalWindow! >= 2 ? d.evalWindow : DEFAULT_WINDOW;
    const o = d.owl;
    const okOwl = typeof o?.key === 'string' && Array.isArray(o.ratios) && o.ratios.every(finite);
    rest.owl = okOwl ? { key: o.key, ratios: o.ratios.slice(0, 4096) } : null;
    Object.assign(lab, rest);
    // saves older than measuredEval: the names are in the basis ("… · eval A · calibration B · …")
    const m = / · eval (.*) · calibration (.*) · \d+ tokens · /.exec(d.basis ?? '');
    if (!d.measuredEval && m) [lab.measuredEval, lab.measuredCalibration] = [m[1], m[2]];
  } catch {
    /* no saved lab */
  } finally {
    lab.restored = true;
  }
}
