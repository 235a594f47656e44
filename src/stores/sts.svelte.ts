// The STS lab's state and actions: a pairs file (dropped, picked, or the shipped example), runs on
// the page's GPU — one per metric, each with the hidden-state baseline from its own forward — and
// the window the statistics are taken over (changing it recomputes ρ on the CPU, never the GPU).
// A failed or cancelled run keeps what was there before and adds nothing.
import { checkPairsSize, MIN_PAIRS, parsePairs, type SentencePair } from '../samples/pairs';
import { tokensOf } from '../samples/load';
import { METRICS, metricKind, type Metric } from '../analysis/metrics';
import { checkWindow, stsWindow } from '../analysis/sts';
import { runGpu } from '../engine/run-gpu';
import {
  stsDocument,
  stsRuns,
  tokenPairs,
  type StsDocument,
  type StsMetricRun,
  type TokenPair,
} from '../engine/sts';
import type { Progress } from '../engine/types';
import type { Results } from '../analysis/results';
import { endedEarly, oneLine } from '../util/message';
import { gpuState } from './gpu.svelte';
import { cache, saveSessionEntry } from './cache.svelte';
import { ensureGpuModel, runContext } from './model';
import { session } from './session.svelte';

export const STS_EXAMPLE_URL = './examples/sts-domains.tsv';

/** The metrics the lab runs (|W| gives LLMDcos 1 for every pair: ρ is undefined, not run). */
export const STS_METRICS: Metric[] = METRICS.filter((m) => metricKind(m).inputs);

/** One metric's run over the pairs: what the document is made from at any window. */
export interface StsRun extends StsMetricRun {
  pairs: TokenPair[];
  engine: Results['engine'];
  model: StsDocument['model'];
  /** the file the pairs came from */
  file: string;
}

class StsState {
  file = $state('');
  pairs = $state.raw<SentencePair[]>([]);
  error = $state('');
  note = $state('');
  metric = $state<Metric>('grad_x_weight');
  /** the window the statistics use; null: the model's default (stsWindow) */
  window = $state.raw<[number, number] | null>(null);
  running = $state(false);
  progress = $state.raw<(Progress & { metric: Metric }) | null>(null);
  runs = $state.raw<StsRun[]>([]);
  /** the metric whose run the views draw */
  shown = $state<Metric>('grad_x_weight');
  seed = $state(0);
  /** set once a saved lab is back (saving before that would overwrite it) */
  restored = $state(false);
}

export const sts = new StsState();

let abort: AbortController | null = null;

const LAST = 'sts:last';

/** What of the lab a reload brings back: the pairs, the runs and the choices made. */
interface StsSaved {
  schema: 'paramscope.sts-lab/1';
  file: string;
  pairs: SentencePair[];
  runs: StsRun[];
  window: [number, number] | null;
  metric: Metric;
  shown: Metric;
}

/** Saves the lab (in the results cache, beside the last session). */
export async function saveSts(): Promise<void> {
  if (session.readOnly) return;
  if (sts.pairs.length === 0) return; // nothing to bring back (and no entry in the cache list)
  const saved: StsSaved = {
    schema: 'paramscope.sts-lab/1',
    file: sts.file,
    pairs: sts.pairs,
    runs: sts.runs,
    window: sts.window,
    metric: sts.metric,
    shown: sts.shown,
  };
  await saveSessionEntry(LAST, `STS lab (${sts.pairs.length} pairs)`, saved);
}

/** Brings the lab back as it was saved; anything malformed is left out (the lab starts empty). */
export async function restoreSts(): Promise<void> {
  try {
    const e = await cache.get<StsSaved>(LAST);
    const d = e?.data;
    if (d?.schema !== 'paramscope.sts-lab/1' || !Array.isArray(d.pairs) || !Array.isArray(d.runs))
      return;
    const ok = d.runs.every(
      (r) =>
        Array.isArray(r?.measures?.llmdcos) &&
        r.measures.llmdcos.length === r.pairs?.length &&
        r.req?.pairs?.[0]?.index?.length === r.pairs.length,
    );
    if (!ok) return;
    Object.assign(sts, {
      file: d.file,
      pairs: d.pairs,
      runs: d.runs,
      window: d.window,
      metric: d.metric,
      shown: d.shown,
    });
  } catch {
    /* no saved lab */
  } finally {
    sts.restored = true;
  }
}

/** Reads a pairs file (refused unread when too large); on a bad file what was loaded stays. */
export async function loadPairsFile(file: Blob & { name: string }): Promise<void> {
  try {
    checkPairsSize(file.name, file.size);
  } catch (e) {
    return refused(e as Error);
  }
  loadPairs(file.name, new Uint8Array(await file.arrayBuffer()));
}

const refused = (e: Error) => {
  sts.error = `${oneLine(e.message)}${sts.pairs.length ? ` — ${sts.file} stays loaded.` : ''}`;
};

/** Reads a pairs file's bytes; on a bad file the pairs (and runs) already loaded stay. */
export function loadPairs(name: string, bytes: Uint8Array): void {
  try {
    const pairs = parsePairs(name, bytes);
    sts.pairs = pairs;
    sts.file = name;
    sts.runs = [];
    sts.error = '';
    sts.note = `${name}: ${pairs.length} pairs.`;
    void saveSts();
  } catch (e) {
    refused(e as Error);
  }
}

export async function loadExamplePairs(): Promise<void> {
  try {
    const res = await fetch(STS_EXAMPLE_URL);
    if (!res.ok) throw new Error(`${STS_EXAMPLE_URL}: HTTP ${res.status}`);
    loadPairs('sts-domains.tsv', new Uint8Array(await res.arrayBuffer()));
  } catch (e) {
    sts.error = `The example pairs could not be loaded: ${(e as Error).message}`;
  }
}

/** The window in force for an L-layer model. */
export function stsWindowOf(L: number): [number, number] {
  const w = sts.window;
  if (w) {
    try {
      checkWindow(w, L);
      return w;
    } catch {
      /* a window from another model: the default */
    }
  }
  return stsWindow(L);
}

/** The document of a run at the window in force (CPU only). */
export function documentOf(run: StsRun): StsDocument {
  return stsDocument(run.pairs, run.req, run.measures, stsWindowOf(run.model.layers), {
    engine: run.engine,
    model: run.model,
    seed: sts.seed,
  });
}

/** Why the lab cannot run now, or ''. */
export function stsBlocked(): string {
  if (gpuState.current.status !== 'ready') return 'WebGPU is not ready.';
  if (!session.model) return 'Load a model first.';
  if (session.running) return 'A run of the sets is in progress.';
  if (session.labRunning && !sts.running) return `${session.labRunning} is running.`;
  if (sts.pairs.length < MIN_PAIRS) return 'Load a pairs file first.';
  return '';
}

/** Runs each metric in turn over the loaded pairs; each finished metric's run is kept. */
export async function runSts(metrics: Metric[]): Promise<void> {
  const g = gpuState.current;
  const m = session.model;
  if (sts.running || stsBlocked() || g.status !== 'ready' || !m) return;
  sts.running = true;
  session.labRunning = 'The STS lab';
  sts.error = '';
  sts.note = '';
  abort = new AbortController();
  const s = g.gpu.summary;
  const engine: Results['engine'] = {
    backend: 'gpu',
    precision: session.precision,
    adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / '),
  };
  const model = { name: m.name, file: m.fileName, layers: m.config.blockCount };
  const file = sts.file;
  try {
    const pairs = tokenPairs(sts.pairs, (x) => tokensOf(x, m.tokenizer, session.maxTokens));
    const gm = await ensureGpuModel();
    const ctx = runContext(gm.ctx, session.precision);
    const signal = abort.signal;
    const runs = await stsRuns(
      pairs,
      metrics,
      session.maxTokens,
      m.config.blockCount,
      (req) =>
        runGpu(ctx, gm.model, req, {
          signal,
          onProgress: (p) => (sts.progress = { ...p, metric: req.metric }),
        }),
      (r) => {
        const run: StsRun = { ...r, pairs, engine, model, file };
        sts.runs = [...sts.runs.filter((x) => x.metric !== r.metric), run];
        sts.shown = r.metric;
      },
    );
    const sentences = runs.at(-1)?.req.sets[0].samples.length ?? 0;
    sts.note = `Done: ${metrics.length} metric(s) over ${pairs.length} pairs (${sentences} distinct sentences, each scored once per metric).`;
  } catch (e) {
    sts.error = endedEarly(e, 'metric', 'metrics');
  } finally {
    sts.running = false;
    session.labRunning = '';
    sts.progress = null;
    abort = null;
    if (sts.runs.length) void saveSts();
  }
}

export function cancelSts(): void {
  abort?.abort();
}
