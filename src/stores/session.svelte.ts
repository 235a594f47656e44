// App state for a research session: the model, the sample sets, the run settings and results,
// the layer selection the views share. Typed arrays and GGUF handles are held as raw state and
// replaced whole (never deep-tracked). Actions live in model.ts, sets.ts, run.ts, persist.ts.
import type { GgufFile } from '../gguf/reader';
import type { LlamaConfig } from '../model/config';
import type { Tokenizer } from '../tokenizer/index';
import { MESSAGE_MAX, oneLine } from '../util/message';
import { DEFAULT_MAX_TOKENS, DEFAULT_TXT_SPLIT, type Sample, type TxtSplit } from '../samples/load';
import type { Metric } from '../analysis/metrics';
import type { Precision } from '../gpu/runtime/context';
import type { Results } from '../analysis/results';
import type { Progress } from '../engine/types';
import type { UploadProgress } from '../gpu/model';
import { paperPair, type Pairing } from '../engine/pairing';
import type { OpCheckResult } from '../gpu/checks/opcheck';
import type { Verification } from '../onnx/verify';

export const DEMO_MODEL_URL = './models/paramscope-demo.gguf';
export const EXAMPLE_SETS = ['bible', 'quotes', 'dictionary', 'jargon', 'code'];
export const SET_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export interface LoadedModel {
  name: string;
  fileName: string;
  sizeBytes: number;
  /** content identity for the cache (src/cache/keys.ts) */
  key: string;
  file: GgufFile;
  config: LlamaConfig;
  tokenizer: Tokenizer;
  tensorTypes: string[];
  /** bytes of weights on the GPU, when uploaded */
  gpuBytes: number;
}

export interface SampleSet {
  name: string;
  color: string;
  samples: Sample[];
}

export type { Pairing };

export interface UploadState extends UploadProgress {
  fileName: string;
  startedAt: number;
}

/** What the last run computed and took from the cache. */
export interface RunInfo {
  gpuRuns: number;
  computed: { sets: string[]; pairs: string[] };
  cached: { sets: string[]; pairs: string[] };
  complete: boolean;
}

class Session {
  model = $state.raw<LoadedModel | null>(null);
  modelStatus = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  modelError = $state('');
  upload = $state.raw<UploadState | null>(null);
  sets = $state.raw<SampleSet[]>([]);
  /** sets left out of the next run */
  skipped = $state.raw<string[]>([]);
  setsError = $state('');
  metric = $state<Metric>('grad_x_weight');
  /** f32 (exact to the reference) or f16 (linears on f16 operands; needs shader-f16) */
  precision = $state<Precision>('f32');
  threshold = $state(2e-6);
  maxTokens = $state(DEFAULT_MAX_TOKENS);
  /** 0: all */
  samplesPerSet = $state(0);
  /** the last session's restore has ended (choices that name sets wait for it) */
  restored = $state(false);
  /** another tab owns the saved session: this one shows it and never saves (stores/owner.ts) */
  readOnly = $state(false);
  /** how a dropped or picked .txt file becomes samples (TXT_SPLITS; the CLIs' --split) */
  txtSplit = $state<TxtSplit>(DEFAULT_TXT_SPLIT);
  /** paper: index pairs of pairA and pairB (Fig. 3); matrix: every pair of sets (Fig. 6) */
  pairing = $state<Pairing>('paper');
  /** GPU memory the user says the adapter has, GiB (0: unchecked; WebGPU cannot tell) */
  gpuBudgetGiB = $state(0);
  pairA = $state('');
  pairB = $state('');
  running = $state(false);
  /**
   * the lab that holds the GPU model now ('' if none): the pruning lab changes its weights in
   * place, so nothing else may read them meanwhile, nor may another model replace them
   */
  labRunning = $state<'' | 'The pruning lab' | 'The STS lab'>('');
  progress = $state.raw<Progress | null>(null);
  runError = $state('');
  runNote = $state('');
  results = $state.raw<Results | null>(null);
  /** what the last run computed and took from the cache */
  lastRun = $state.raw<RunInfo | null>(null);
  /** the engine self-check's rows, once it has run */
  selfCheck = $state.raw<OpCheckResult[] | null>(null);
  /** the last "Verify engine" comparison */
  verification = $state.raw<Verification | null>(null);
  /** layers left out of the summaries (boxplot means, matrix window, heatmap), shared by views */
  excluded = $state.raw<number[]>([]);
  notice = $state('');
  /** what the notice's Undo button restores (a removed set or sample) */
  noticeUndo = $state.raw<(() => void) | null>(null);
}

export const session = new Session();

/** How long a notice stays (errors stay until dismissed or replaced). */
export const NOTICE_MS = 12_000;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a one-line notice, with an Undo where `undo` is given; it expires after NOTICE_MS. */
export function notify(message: string, opts: { undo?: () => void; error?: boolean } = {}): void {
  clearTimeout(noticeTimer);
  // names from files inside it (a set, a file name) cannot reverse the text or widen the page
  const text = oneLine(message, 2 * MESSAGE_MAX);
  session.notice = text;
  session.noticeUndo = opts.undo ?? null;
  if (!opts.error && text)
    noticeTimer = setTimeout(() => {
      if (session.notice === text) dismissNotice();
    }, NOTICE_MS);
}

export function dismissNotice(): void {
  clearTimeout(noticeTimer);
  session.notice = '';
  session.noticeUndo = null;
}

export function nextColor(): string {
  const used = new Set(session.sets.map((s) => s.color));
  return SET_COLORS.find((c) => !used.has(c)) ?? SET_COLORS[session.sets.length % 10];
}

/** The two sets of the paper's pairing: the chosen ones while they exist, else the first two. */
export function pairSets(): [string, string] | null {
  const names = session.sets.map((s) => s.name).filter((n) => !session.skipped.includes(n));
  return paperPair(names, session.pairA, session.pairB);
}
