// Session files and the last session: sets (with their sample texts), settings, layer selection
// and results as one JSON document (`paramscope.session/1`). Importing also takes a CLI results
// document (`paramscope.results/1`) and draws it.
import { RESULTS_SCHEMA, validateResults, type Results } from '../analysis/results';
import * as v from 'valibot';
import { issueLines } from '../analysis/results-schema';
import { SessionSchema } from './session-schema';
import { mergeUnitShards, type Shard } from '../engine/merge';
import { METRICS, type Metric } from '../analysis/metrics';
import type { Precision } from '../gpu/runtime/context';
import { cache, saveSessionEntry } from './cache.svelte';
import { viewState } from './views.svelte';
import { clip } from '../util/message';
import { DEFAULT_TXT_SPLIT, TXT_SPLITS, type TxtSplit } from '../samples/load';
import { SET_COLORS, session, type Pairing, type SampleSet } from './session.svelte';

export const SESSION_SCHEMA = 'paramscope.session/1';
const LAST = 'session:last';

export interface SessionFile {
  schema: typeof SESSION_SCHEMA;
  savedAt: string;
  model: { name: string; file: string } | null;
  sets: SampleSet[];
  settings: {
    metric: Metric;
    /** absent in older files: f32 */
    precision?: Precision;
    threshold: number;
    maxTokens: number;
    samplesPerSet: number;
    /** absent in older files: auto */
    txtSplit?: TxtSplit;
    /** the views' γ as log10 and whether the researcher chose it (absent in older files: from the data) */
    gamma?: { log10: number; chosen: boolean };
    pairing: Pairing;
    pairA: string;
    pairB: string;
    skipped?: string[];
  };
  excluded: number[];
  results: Results | null;
}

export function sessionFile(): SessionFile {
  return {
    schema: SESSION_SCHEMA,
    savedAt: new Date().toISOString(),
    model: session.model ? { name: session.model.name, file: session.model.fileName } : null,
    ...sessionEdits(),
    results: session.results,
  };
}

/**
 * What a person edits in a session: sets, settings, excluded layers (the session file but its
 * model and results). The app saves the session when any of it changes.
 */
export function sessionEdits(): Pick<SessionFile, 'sets' | 'settings' | 'excluded'> {
  return {
    sets: session.sets,
    settings: {
      metric: session.metric,
      precision: session.precision,
      threshold: session.threshold,
      maxTokens: session.maxTokens,
      samplesPerSet: session.samplesPerSet,
      txtSplit: session.txtSplit,
      gamma: { log10: viewState.log10Gamma, chosen: viewState.chosen },
      pairing: session.pairing,
      pairA: session.pairA,
      pairB: session.pairB,
      skipped: session.skipped,
    },
    excluded: session.excluded,
  };
}

/** Problems with a session document, as "path: what" lines; empty when valid. */
export function validateSession(x: unknown): string[] {
  const parsed = v.safeParse(SessionSchema, x, { abortEarly: true });
  if (!parsed.success) return issueLines(parsed.issues);
  const o = parsed.output;
  const errs: string[] = [];
  const names = new Set<string>();
  o.sets.forEach((s, i) => {
    if (names.has(s.name)) errs.push(`sets[${i}].name: ${JSON.stringify(s.name)} names two sets`);
    names.add(s.name);
  });
  if (o.results) errs.push(...validateResults(o.results).map((e) => `results.${e}`));
  return errs;
}

export function applySession(f: SessionFile): void {
  session.sets = f.sets.map((s, i) => ({
    name: s.name,
    color: s.color ?? SET_COLORS[i % SET_COLORS.length],
    samples: s.samples,
  }));
  session.metric = f.settings.metric;
  session.precision = f.settings.precision === 'f16' ? 'f16' : 'f32';
  session.threshold = f.settings.threshold;
  session.maxTokens = f.settings.maxTokens;
  session.samplesPerSet = f.settings.samplesPerSet ?? 0;
  const g = f.settings.gamma;
  if (g && Number.isFinite(g.log10) && g.log10 >= -20 && g.log10 <= 0 && g.chosen === true)
    [viewState.log10Gamma, viewState.chosen] = [g.log10, true];
  session.txtSplit = TXT_SPLITS.find((x) => x.id === f.settings.txtSplit)?.id ?? DEFAULT_TXT_SPLIT;
  session.pairing = f.settings.pairing ?? 'paper';
  session.pairA = f.settings.pairA ?? '';
  session.pairB = f.settings.pairB ?? '';
  session.skipped = Array.isArray(f.settings.skipped) ? f.settings.skipped : [];
  session.excluded = Array.isArray(f.excluded) ? f.excluded : [];
  session.results = f.results;
}

/** Reads a session or results document; throws an error that names the file and the problem. */
export function importDocument(fileName: string, text: string): 'session' | 'results' {
  return applyDocument(fileName, parseDocument(fileName, text));
}

/** A file's JSON; an error that names the file when it is not JSON. */
function parseDocument(fileName: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: not JSON (${(e as Error).message})`);
  }
}

/** A results document, checked; an error naming the file and its first problems. */
function checkedResults(fileName: string, doc: unknown): Results {
  const errs = validateResults(doc);
  if (errs.length)
    throw new Error(`${fileName}: not a valid results document: ${errs.slice(0, 5).join('; ')}`);
  return doc as Results;
}

/** Shows a parsed session or results document; throws, naming the file, when it is neither. */
function applyDocument(fileName: string, doc: unknown): 'session' | 'results' {
  const schema = (doc as { schema?: unknown })?.schema;
  if (schema === RESULTS_SCHEMA) {
    session.results = checkedResults(fileName, doc);
    session.excluded = [];
    return 'results';
  }
  if (schema === SESSION_SCHEMA) {
    const errs = validateSession(doc);
    if (errs.length)
      throw new Error(`${fileName}: not a valid session: ${errs.slice(0, 5).join('; ')}`);
    applySession(doc as SessionFile);
    return 'session';
  }
  throw new Error(
    `${fileName}: unknown document (schema ${JSON.stringify(schema)}); supported: "${SESSION_SCHEMA}" (Export session) and "${RESULTS_SCHEMA}" (npm run analyze, Export results)`,
  );
}

/**
 * Several documents at once: the results of one run's shards by units (npm run analyze --shard
 * I/N --shard-by units) are merged into one (src/engine/merge.ts, refusals name the file); any
 * other mix is imported one by one, in order. Says what was merged, or each file's kind.
 */
export function importDocuments(files: { name: string; text: string }[]): {
  merged?: string;
  kinds: ('session' | 'results')[];
} {
  // each file parsed once; a file that is not JSON is reported when its turn comes
  const docs = files.map((f) => {
    try {
      return { doc: parseDocument(f.name, f.text) };
    } catch (error) {
      return { error };
    }
  });
  const isShard = (d: { doc?: unknown }) =>
    (d.doc as Results | undefined)?.schema === RESULTS_SCHEMA && !!(d.doc as Results).shard;
  if (files.length > 1 && docs.every(isShard)) {
    const shards: Shard[] = files.map((f, i) => ({
      name: f.name,
      results: checkedResults(f.name, docs[i].doc),
    }));
    if (shards[0].results.shard!.by !== 'units')
      throw new Error(
        `${shards[0].name}: shards by samples merge through their scores files: use npm run merge`,
      );
    session.results = mergeUnitShards(shards);
    session.excluded = [];
    return {
      merged: `${files.length} shards (${session.results.sets.length} sets) from ${files.map((f) => f.name).join(', ')}`,
      kinds: [],
    };
  }
  return {
    kinds: docs.map((d, i) => {
      if ('error' in d) throw d.error;
      return applyDocument(files[i].name, d.doc);
    }),
  };
}

export async function saveLastSession(): Promise<void> {
  // a second tab never writes over the session its owner saves (stores/owner.ts)
  if (session.readOnly) return;
  const f = sessionFile();
  await saveSessionEntry(LAST, `last session (${f.sets.length} sets)`, f);
}

/** What reopening the last session did. */
export type RestoreOutcome =
  { kind: 'none' } | { kind: 'restored' } | { kind: 'set-aside'; key: string; reason: string };

/**
 * Restores the last session (sets, settings, results) if there is one. One that fails validation
 * (or that `safe` mode skips) is never loaded and never overwritten by the autosave: it is moved
 * to its own cache entry, listed in the cache panel to export or delete, and the outcome says why.
 */
export async function restoreLastSession(opts: { safe?: boolean } = {}): Promise<RestoreOutcome> {
  let e: Awaited<ReturnType<typeof cache.get<SessionFile>>>;
  try {
    e = await cache.get<SessionFile>(LAST);
  } catch {
    return { kind: 'none' };
  }
  if (!e) return { kind: 'none' };
  const errs = opts.safe ? ['opened in safe mode, without restoring'] : validateSession(e.data);
  if (errs.length === 0) {
    try {
      applySession(e.data);
      return { kind: 'restored' };
    } catch (err) {
      errs.push((err as Error).message);
    }
  }
  const reason = errs[0];
  // a tab that does not own the session leaves the owner's entry where it is (stores/owner.ts)
  if (session.readOnly) return { kind: 'set-aside', key: LAST, reason };
  const key = `session:set-aside:${Date.now()}`;
  try {
    await cache.putMany([[key, { ...e, label: `set-aside session (${clip(reason, 80)})` }]]);
    await cache.delete(LAST);
  } catch {
    // the entry stays where it was; the autosave must still not overwrite it
    return { kind: 'set-aside', key: LAST, reason };
  }
  return { kind: 'set-aside', key, reason };
}
