// Incremental runs: split a request into units (a pair of sets with its two sets, or one set),
// take every set and pair whose signature is cached from the cache, run only the rest, one unit
// at a time, and cache each unit as it finishes. A cancelled run returns what finished.
import {
  validateCachedPair,
  validateCachedSet,
  type PairResult,
  type SetResult,
} from '../analysis/results';
import { entry, type CacheStore } from '../cache/store';
import { pairSignature, setSignature, settingsKey } from '../cache/keys';
import {
  checkPairs,
  pairedSamples,
  type PairSpec,
  type Progress,
  type RunOptions,
  type RunOutput,
  type RunRequest,
  type RunSet,
} from './types';

export interface PlanUnit {
  sets: RunSet[];
  pairs: PairSpec[];
}

export interface IncrementalRun {
  out: RunOutput;
  /** false when cancelled: `out` holds the finished sets and pairs only */
  complete: boolean;
  computed: { sets: string[]; pairs: string[] };
  cached: { sets: string[]; pairs: string[] };
  /**
   * sets whose samples a pair unit walked again, from the cache or after an earlier unit of this
   * run: LLMDcos needs both sets' gradients at every layer, which no result holds (the set's
   * first result is kept)
   */
  rewalked: string[];
  /** cache writes that failed (quota): their results are in `out` but not stored */
  cacheErrors: string[];
}

export interface IncrementalOptions extends RunOptions {
  /** the merged results after every finished unit (and once at the start, from the cache) */
  onPartial?: (out: RunOutput) => void;
  /** called with the units about to run, before any runs */
  onPlan?: (units: PlanUnit[]) => void;
}

/**
 * The units a request runs as: each pair not in `done` with both its sets, then each set not in
 * `done` that no such pair takes along. With nothing done: every unit of the request (what the
 * memory estimate looks at).
 */
export function planUnits(
  req: Pick<RunRequest, 'sets' | 'pairs'>,
  done: { sets: Set<string>; pairs: Set<number> } = { sets: new Set(), pairs: new Set() },
): (PlanUnit & { pairIndex?: number })[] {
  const byName = new Map(req.sets.map((s) => [s.name, s]));
  const units: (PlanUnit & { pairIndex?: number })[] = [];
  const covered = new Set<string>();
  req.pairs.forEach((p, k) => {
    if (done.pairs.has(k)) return;
    const names = p.a === p.b ? [p.a] : [p.a, p.b];
    names.forEach((n) => covered.add(n));
    units.push({ sets: names.map((n) => byName.get(n)!), pairs: [p], pairIndex: k });
  });
  for (const s of req.sets) {
    if (!done.sets.has(s.name) && !covered.has(s.name)) units.push({ sets: [s], pairs: [] });
  }
  return units;
}

/**
 * The work a unit does, in tokens walked: each sample that no pair scores once, and both members
 * of every sample pair (a pair step recomputes the two side by side).
 */
export function unitWork(unit: PlanUnit): number {
  const { pairs, alone } = pairedSamples(unit);
  const tokens = (s: RunSet, i: number) => s.samples[i].tokens.length;
  const work =
    pairs.reduce((w, [a, ia, b, ib]) => w + tokens(a, ia) + tokens(b, ib), 0) +
    alone.reduce((w, [s, i]) => w + tokens(s, i), 0);
  return Math.max(1, work);
}

/**
 * The whole run's progress from a unit's: each unit weighted by its work (unitWork), the time left
 * from the unit's own estimate plus the units after it at the pace measured so far.
 */
class RunProgress {
  private readonly total: number;
  private readonly started = performance.now();
  private done = 0;
  private last = 0;
  constructor(
    private readonly work: number[],
    private readonly report?: (p: Progress) => void,
  ) {
    this.total = work.reduce((a, b) => a + b, 0);
  }
  unit(u: number, p: Progress, more: boolean): void {
    const inUnit = p.fraction * this.work[u];
    const doneWork = this.done + inUnit;
    this.last = Math.max(this.last, doneWork / this.total);
    const elapsed = (performance.now() - this.started) * 1e-3;
    const rate = doneWork > 0 ? elapsed / doneWork : NaN;
    const after = this.total - this.done - this.work[u];
    const here = p.etaSeconds ?? (this.work[u] - inUnit) * rate;
    const eta = here + after * rate;
    this.report?.({
      ...p,
      stage: p.stage === 'done' && more ? 'layer' : p.stage,
      fraction: this.last,
      ...(Number.isFinite(eta) ? { etaSeconds: eta } : {}),
    });
  }
  unitDone(u: number): void {
    this.done += this.work[u];
  }
}

const pairName = (p: PairSpec) => `${p.a}:${p.b}${p.shift ? `:${p.shift}` : ''}`;

export async function runIncremental(
  req: RunRequest,
  modelKey: string,
  cache: CacheStore,
  execute: (unit: RunRequest, opts: RunOptions) => Promise<RunOutput>,
  opts: IncrementalOptions = {},
): Promise<IncrementalRun> {
  checkPairs(req);
  const settings = settingsKey(req);
  const setSig = new Map<string, string>();
  for (const s of req.sets) setSig.set(s.name, await setSignature(modelKey, settings, s));
  const pairSig = await Promise.all(
    req.pairs.map((p) => pairSignature(setSig.get(p.a)!, setSig.get(p.b)!, p)),
  );

  const sets = new Map<string, SetResult>();
  const pairs = new Map<number, PairResult>();
  const cached = { sets: [] as string[], pairs: [] as string[] };
  const cacheErrors: string[] = [];
  // a cached entry is drawn only once it validates; a damaged one is computed again and replaced
  const damaged = (what: string, errs: string[]) =>
    cacheErrors.push(
      `The cached result of ${what} did not validate (${errs[0]}): it was not used, and is computed again and replaced.`,
    );
  for (const s of req.sets) {
    const e = await cache.get<SetResult>(`set:${setSig.get(s.name)}`);
    if (!e) continue;
    const errs = validateCachedSet(e.data, s.samples.length, req.thresholds.length);
    if (errs.length) damaged(`set ${JSON.stringify(s.name)}`, errs);
    else {
      sets.set(s.name, rename(e.data, s));
      cached.sets.push(s.name);
    }
  }
  for (let k = 0; k < req.pairs.length; k++) {
    const e = await cache.get<PairResult>(`pair:${pairSig[k]}`);
    if (!e) continue;
    const errs = validateCachedPair(e.data);
    if (errs.length) damaged(`pair ${pairName(req.pairs[k])}`, errs);
    else {
      pairs.set(k, { ...e.data, a: req.pairs[k].a, b: req.pairs[k].b });
      cached.pairs.push(pairName(req.pairs[k]));
    }
  }
  const merged = (): RunOutput => ({
    sets: req.sets.filter((s) => sets.has(s.name)).map((s) => sets.get(s.name)!),
    pairs: req.pairs.map((_, k) => pairs.get(k)).filter((p): p is PairResult => !!p),
  });

  const units = planUnits(req, { sets: new Set(sets.keys()), pairs: new Set(pairs.keys()) });
  opts.onPlan?.(units);
  opts.onPartial?.(merged());

  const computed = { sets: [] as string[], pairs: [] as string[] };
  const rewalked = new Set<string>();
  const progress = new RunProgress(units.map(unitWork), opts.onProgress);
  for (let u = 0; u < units.length; u++) {
    const unit = units[u];
    let out: RunOutput;
    try {
      out = await execute(
        { ...req, sets: unit.sets, pairs: unit.pairs },
        {
          signal: opts.signal,
          onProgress: (p) => progress.unit(u, p, u + 1 < units.length),
        },
      );
    } catch (e) {
      if ((e as Error).name === 'AbortError')
        return {
          out: merged(),
          complete: false,
          computed,
          cached,
          rewalked: [...rewalked],
          cacheErrors,
        };
      throw e;
    }
    progress.unitDone(u);
    const writes: [string, ReturnType<typeof entry>][] = [];
    for (const s of out.sets) {
      const sig = setSig.get(s.name)!;
      if (sets.has(s.name)) {
        rewalked.add(s.name);
        continue; // the cached result stands
      }
      computed.sets.push(s.name);
      sets.set(s.name, s);
      writes.push([`set:${sig}`, entry('set', `set ${s.name} (${s.samples.length} samples)`, s)]);
    }
    if (unit.pairIndex !== undefined) {
      const p = out.pairs[0];
      pairs.set(unit.pairIndex, p);
      computed.pairs.push(pairName(req.pairs[unit.pairIndex]));
      writes.push([
        `pair:${pairSig[unit.pairIndex]}`,
        entry('pair', `pair ${pairName(req.pairs[unit.pairIndex])} (${p.llmdcos.length})`, p),
      ]);
    }
    opts.onPartial?.(merged());
    // results are kept (and the run goes on) when the cache cannot take them
    try {
      await cache.putMany(writes);
    } catch (e) {
      cacheErrors.push((e as Error).message);
    }
  }
  return { out: merged(), complete: true, computed, cached, rewalked: [...rewalked], cacheErrors };
}

/** A cached set under the current name and sample sources. */
function rename(s: SetResult, set: RunSet): SetResult {
  return {
    ...s,
    name: set.name,
    samples: s.samples.map((x, i) => ({ ...x, source: set.samples[i]?.source ?? x.source })),
  };
}

/** What a run did, in a line: computed and cached units, pairs walked again, a cancel. */
export function runNote(r: IncrementalRun): string {
  const n = (x: { sets: string[]; pairs: string[] }) =>
    `${x.sets.length} set(s) and ${x.pairs.length} pair(s)`;
  let note = `${r.complete ? 'Done' : 'Cancelled'}: ${n(r.computed)} computed, ${n(r.cached)} from the cache.`;
  if (r.rewalked.length)
    note += ` Walked again for their pairs (LLMDcos needs both sets' gradients, which no cached result holds): ${r.rewalked.join(', ')}.`;
  if (!r.complete) note += ' Finished units are kept; run again to continue.';
  return note;
}
