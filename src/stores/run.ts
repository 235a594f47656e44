// Running the analysis on the page's GPU: builds the request from the sets and settings, takes
// what the cache holds, runs the rest unit by unit (results stream in as units finish), and
// saves the session so that reopening the app shows it at once.
import { tokensOf, type Sample } from '../samples/load';
import { runGpu } from '../engine/run-gpu';
import { assembleResults } from '../engine/assemble';
import { runIncremental, runNote } from '../engine/incremental';
import { plannedPairs } from '../engine/pairing';
import { planRequest, type RequestPlan } from '../engine/memory';
import type { RunOutput } from '../engine/types';
import type { RunRequest, RunSet } from '../engine/types';
import type { Results } from '../analysis/results';
import { gpuState } from './gpu.svelte';
import { oneLine } from '../util/message';
import { ensureGpuModel, runContext } from './model';
import { cache, cacheState, refreshCache } from './cache.svelte';
import { saveLastSession } from './persist';
import { pairSets, session } from './session.svelte';
import { loadExampleSets } from './sets';

let abort: AbortController | null = null;

/** The memory plan of the run the settings ask for (null: nothing to run yet). */
export function runPlan(): RequestPlan | null {
  const m = session.model;
  const g = gpuState.current;
  if (!m || session.sets.length === 0) return null;
  let req;
  try {
    req = buildRequest();
  } catch {
    return null;
  }
  const limits = g.status === 'ready' ? g.gpu.device.limits : undefined;
  return planRequest(m.config, m.gpuBytes || m.sizeBytes, req, gpuBudget(), limits);
}

/** The GPU memory the user set, in bytes (undefined: unchecked). */
const gpuBudget = () => (session.gpuBudgetGiB > 0 ? session.gpuBudgetGiB * 2 ** 30 : undefined);

/** A set of the page as the run takes it: its samples (up to samples per set) as token ids. */
export function runSet(s: { name: string; samples: Sample[] }): RunSet {
  const m = session.model;
  if (!m) throw new Error('no model loaded');
  return {
    name: s.name,
    samples: (session.samplesPerSet > 0
      ? s.samples.slice(0, session.samplesPerSet)
      : s.samples
    ).map((x) => ({ source: x.source, tokens: tokensOf(x, m.tokenizer, session.maxTokens) })),
  };
}

export function buildRequest(): RunRequest {
  const m = session.model;
  if (!m) throw new Error('no model loaded');
  const chosen = session.sets.filter((s) => !session.skipped.includes(s.name));
  if (chosen.length === 0) throw new Error('no set is chosen for the run');
  const sets = chosen.map(runSet);
  return {
    sets,
    pairs: plannedPairs(session.pairing, sets, pairSets()),
    thresholds: [session.threshold],
    metric: session.metric,
    maxTokens: session.maxTokens,
  };
}

export async function runAnalysis(): Promise<void> {
  const g = gpuState.current;
  const m = session.model;
  if (g.status !== 'ready' || !m || session.running || session.labRunning) return;
  session.running = true;
  session.runError = '';
  session.runNote = '';
  session.progress = null;
  abort = new AbortController();
  const s = g.gpu.summary;
  const precision = session.precision;
  const engine: Results['engine'] = {
    backend: 'gpu',
    precision,
    adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / '),
  };
  let gpuRuns = 0;
  // a failed run, or a cancelled one that finished nothing, leaves these on screen
  const before = session.results;
  try {
    const req = buildRequest();
    const show = (out: RunOutput) => {
      const results = assembleResults(
        out,
        req,
        { name: m.name, file: m.fileName, config: m.config },
        engine,
      );
      session.results = results;
    };
    const gm = await ensureGpuModel();
    const ctx = runContext(gm.ctx, precision);
    const r = await runIncremental(
      req,
      // f16 results differ from f32 ones (within 1e-2): cached apart
      precision === 'f32' ? m.key : `${m.key}|${precision}`,
      cache,
      (unit, o) => {
        gpuRuns++;
        return runGpu(ctx, gm.model, unit, { ...o, gpuMemoryBudget: gpuBudget() });
      },
      {
        signal: abort.signal,
        onProgress: (p) => (session.progress = p),
        onPartial: show,
      },
    );
    if (r.complete || r.computed.sets.length + r.computed.pairs.length > 0) show(r.out);
    else keep(before);
    session.runNote = runNote(r);
    if (r.cacheErrors.length) cacheState.error = r.cacheErrors.join('\n');
    session.lastRun = {
      gpuRuns,
      computed: r.computed,
      cached: r.cached,
      complete: r.complete,
    };
    await saveLastSession();
    await refreshCache();
  } catch (e) {
    console.error(e);
    keep(before);
    session.runError = `${(e as Error).name}: ${oneLine((e as Error).message)} Earlier results are kept; nothing of the failed unit was cached.`;
    // the saved session is the one before the run too (a reload must not show the failed run)
    await saveLastSession().catch(() => undefined);
  } finally {
    session.running = false;
    abort = null;
  }
}

/** Puts back the results from before a run that failed or finished nothing. */
function keep(before: Results | null): void {
  session.results = before;
}

export function cancelRun(): void {
  abort?.abort();
}

/** A signal the Cancel button aborts, for GPU work other than runAnalysis (Export scores). */
export function cancellableSignal(): AbortSignal {
  abort = new AbortController();
  return abort.signal;
}

/** The demo job of "Try it": two example sets far apart, a few short samples of each. */
export const TRY_IT = { sets: ['bible', 'code'], samplesPerSet: 3, maxTokens: 24 };

/**
 * "Try it" on a first open: two example sets (loaded if absent), a few short samples of each, the
 * paper's pairing of the two — then the run, as Run would do it (cached, cancellable).
 */
export async function tryIt(): Promise<void> {
  if (!session.sets.length) {
    await loadExampleSets(TRY_IT.sets);
    if (session.setsError) return;
    session.pairA = TRY_IT.sets[0];
    session.pairB = TRY_IT.sets[1];
  }
  session.samplesPerSet = TRY_IT.samplesPerSet;
  session.maxTokens = TRY_IT.maxTokens;
  session.pairing = 'paper';
  await runAnalysis();
}
