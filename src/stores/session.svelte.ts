// App state for a research session: the model, the sample sets, the run and its results.
// Typed arrays and GGUF handles are held as raw state and replaced whole (never deep-tracked).
import { readGguf, type GgufFile } from '../gguf/reader';
import { GgmlType } from '../gguf/types';
import { blobSource } from '../gguf/source';
import { llamaConfig, layerParameterCount, type LlamaConfig } from '../model/config';
import { tokenizerFromGguf, type Tokenizer } from '../tokenizer/index';
import { parseSamples, sampleTokens, DEFAULT_MAX_TOKENS, type Sample } from '../samples/load';
import { GpuContext, optionsFor } from '../gpu/context';
import { uploadLlama, type GpuLlama } from '../gpu/model';
import { runGpu } from '../gpu/engine';
import { assembleResults } from '../engine/assemble';
import { defaultThreshold } from '../analysis/density';
import type { Metric } from '../analysis/metrics';
import type { Results } from '../analysis/results';
import type { Progress, RunRequest } from '../engine/types';
import { gpuState } from './gpu.svelte';

export const DEMO_MODEL_URL = './models/paramscope-demo.gguf';
export const EXAMPLE_SETS = ['bible', 'quotes', 'dictionary', 'jargon', 'code'];

export interface LoadedModel {
  name: string;
  fileName: string;
  sizeBytes: number;
  file: GgufFile;
  config: LlamaConfig;
  tokenizer: Tokenizer;
  tensorTypes: string[];
}

export interface SampleSet {
  name: string;
  samples: Sample[];
}

/**
 * Session state. The model (GGUF handle, tokenizer) and the results are large and replaced
 * whole: raw state, never deep-proxied.
 */
class Session {
  model = $state.raw<LoadedModel | null>(null);
  modelStatus = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  modelError = $state('');
  sets = $state.raw<SampleSet[]>([]);
  setsError = $state('');
  metric = $state<Metric>('grad_x_weight');
  threshold = $state(2e-6);
  maxTokens = $state(DEFAULT_MAX_TOKENS);
  /** 0: all */
  samplesPerSet = $state(0);
  running = $state(false);
  progress = $state.raw<Progress | null>(null);
  runError = $state('');
  results = $state.raw<Results | null>(null);
}

export const session = new Session();

let gpuModel: { model: GpuLlama; ctx: GpuContext; file: GgufFile } | null = null;
let abort: AbortController | null = null;

export async function loadModelBlob(blob: Blob, fileName: string): Promise<void> {
  session.modelStatus = 'loading';
  session.modelError = '';
  try {
    const file = await readGguf(blobSource(blob, fileName));
    const config = llamaConfig(file);
    const tokenizer = tokenizerFromGguf(file);
    const types = [...new Set([...file.tensors.values()].map((t) => t.type))];
    gpuModel?.model.destroy();
    gpuModel = null;
    session.model = {
      name: config.name,
      fileName,
      sizeBytes: blob.size,
      file,
      config,
      tokenizer,
      tensorTypes: types.map((t) => GgmlType[t] ?? String(t)),
    };
    session.threshold = defaultThreshold(config.blockCount);
    session.results = null;
    session.modelStatus = 'ready';
  } catch (e) {
    // the previous model, if any, stays loaded
    session.modelError = (e as Error).message;
    session.modelStatus = session.model ? 'ready' : 'error';
  }
}

export async function loadDemoModel(): Promise<void> {
  session.modelStatus = 'loading';
  try {
    const res = await fetch(DEMO_MODEL_URL);
    if (!res.ok) throw new Error(`${DEMO_MODEL_URL}: HTTP ${res.status}`);
    await loadModelBlob(await res.blob(), 'paramscope-demo.gguf');
  } catch (e) {
    session.modelError = `The demo model could not be loaded: ${(e as Error).message}`;
    session.modelStatus = 'error';
  }
}

export function parameterCount(c: LlamaConfig): number {
  return layerParameterCount(c) * c.blockCount;
}

export async function addSetFromFiles(
  name: string,
  files: { name: string; bytes: Uint8Array }[],
): Promise<void> {
  session.setsError = '';
  try {
    const samples = files.flatMap((f) => parseSamples(f.name, f.bytes, 'paragraphs'));
    const base = name || files[0]?.name.replace(/\.[^.]+$/, '') || 'set';
    let unique = base;
    for (let i = 2; session.sets.some((s) => s.name === unique); i++) unique = `${base}-${i}`;
    session.sets = [...session.sets, { name: unique, samples }];
  } catch (e) {
    session.setsError = (e as Error).message;
  }
}

export async function loadExampleSets(): Promise<void> {
  for (const d of EXAMPLE_SETS) {
    if (session.sets.some((s) => s.name === d)) continue;
    const res = await fetch(`./examples/${d}.jsonl`);
    await addSetFromFiles(d, [
      { name: `${d}.jsonl`, bytes: new Uint8Array(await res.arrayBuffer()) },
    ]);
  }
}

export function removeSet(name: string): void {
  session.sets = session.sets.filter((s) => s.name !== name);
}

export function tokenCount(s: Sample): number {
  const m = session.model;
  if (!m) return 0;
  try {
    return sampleTokens(s, m.tokenizer, session.maxTokens).length;
  } catch {
    return 0;
  }
}

export function buildRequest(): RunRequest {
  const m = session.model;
  if (!m) throw new Error('no model loaded');
  const sets = session.sets.map((s) => ({
    name: s.name,
    samples: (session.samplesPerSet > 0
      ? s.samples.slice(0, session.samplesPerSet)
      : s.samples
    ).map((x) => ({
      source: x.source,
      tokens: sampleTokens(x, m.tokenizer, session.maxTokens),
    })),
  }));
  const pairs = sets.length >= 2 ? [{ a: sets[0].name, b: sets[1].name }] : [];
  return {
    sets,
    pairs,
    thresholds: [session.threshold],
    metric: session.metric,
    maxTokens: session.maxTokens,
  };
}

/** The loaded model's weights on the page's GPU, uploaded once per model. */
export async function ensureGpuModel(): Promise<{ model: GpuLlama; ctx: GpuContext }> {
  const g = gpuState.current;
  const m = session.model;
  if (g.status !== 'ready') throw new Error('WebGPU is not ready');
  if (!m) throw new Error('no model loaded');
  if (!gpuModel || gpuModel.file !== m.file) {
    gpuModel?.model.destroy();
    gpuModel = null;
    const ctx = new GpuContext(g.gpu.device, optionsFor(g.gpu.summary));
    gpuModel = { ctx, file: m.file, model: await uploadLlama(ctx, m.file) };
  }
  return gpuModel;
}

export async function runAnalysis(): Promise<void> {
  const g = gpuState.current;
  const m = session.model;
  if (g.status !== 'ready' || !m || session.running) return;
  session.running = true;
  session.runError = '';
  session.progress = null;
  abort = new AbortController();
  try {
    const req = buildRequest();
    const gm = await ensureGpuModel();
    const out = await runGpu(gm.ctx, gm.model, req, {
      signal: abort.signal,
      onProgress: (p) => (session.progress = p),
    });
    const s = g.gpu.summary;
    const results = assembleResults(
      out,
      req,
      { name: m.name, file: m.fileName, config: m.config },
      {
        backend: 'gpu',
        precision: 'f32',
        adapter: [s.vendor, s.architecture, s.description].filter(Boolean).join(' / '),
      },
    );
    session.results = results;
    // for end-to-end tests and the console: the last results document
    (globalThis as { __paramscopeResults?: Results }).__paramscopeResults = results;
  } catch (e) {
    console.error(e);
    session.runError =
      (e as Error).name === 'AbortError'
        ? 'Cancelled.'
        : `${(e as Error).name}: ${(e as Error).message}`;
  } finally {
    session.running = false;
    abort = null;
  }
}

export function cancelRun(): void {
  abort?.abort();
}
