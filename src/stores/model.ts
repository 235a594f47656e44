// Model actions: read a GGUF's header, then stream its weights to the GPU with progress and
// cancel. The previous model stays loaded until the new one is fully on the GPU, so a cancelled
// or failed load loses nothing.
import { readGguf } from '../gguf/reader';
import { GgmlType } from '../gguf/types';
import { blobSource } from '../gguf/source';
import { layerParameterCount, type LlamaConfig } from '../model/config';
import { llamaConfig } from '../model/read-config';
import { tokenizerFromGguf } from '../tokenizer/index';
import { GpuContext, optionsFor } from '../gpu/runtime/context';
import type { Precision } from '../gpu/runtime/context';
import { uploadLlama, type GpuLlama } from '../gpu/model';
import { withGpuErrors } from '../gpu/runtime/errors';
import { defaultThreshold } from '../analysis/density';
import { modelKey } from '../cache/keys';
import { gpuState, gpuSettled } from './gpu.svelte';
import { DEMO_MODEL_URL, session, type LoadedModel } from './session.svelte';

let gpuModel: { model: GpuLlama; ctx: GpuContext; key: string } | null = null;
/** the f16 path's context on the same device (its own pipelines), made on first use */
let f16Context: GpuContext | null = null;
let uploadAbort: AbortController | null = null;

export function parameterCount(c: LlamaConfig): number {
  return layerParameterCount(c) * c.blockCount;
}

async function upload(m: LoadedModel, signal?: AbortSignal) {
  const g = gpuState.current;
  if (g.status !== 'ready') throw new Error('WebGPU is not ready');
  const ctx = new GpuContext(g.gpu.device, optionsFor(g.gpu.summary));
  const startedAt = performance.now();
  // an out-of-memory or other GPU error while the weights go up fails the load (named), not a
  // later run
  const model = await withGpuErrors(g.gpu.device, `loading ${m.fileName}`, () =>
    uploadLlama(ctx, m.file, {
      signal,
      onProgress: (p) => (session.upload = { ...p, fileName: m.fileName, startedAt }),
    }),
  );
  return { ctx, model, key: m.key };
}

/** Why a model cannot be loaded now, or '' (a run's weights never change under it). */
export function modelLoadBlocked(): string {
  if (session.running)
    return 'A run is in progress: cancel it (or let it finish) before loading another model.';
  if (session.labRunning)
    return `${session.labRunning} is running: cancel it (or let it finish) before loading another model.`;
  return '';
}

export async function loadModelBlob(blob: Blob, fileName: string): Promise<void> {
  if (uploadAbort) return;
  const blocked = modelLoadBlocked();
  if (blocked) {
    session.modelError = `${fileName} was not loaded. ${blocked}`;
    return;
  }
  const before = session.modelStatus;
  session.modelStatus = 'loading';
  session.modelError = '';
  uploadAbort = new AbortController();
  try {
    const file = await readGguf(blobSource(blob, fileName));
    const config = llamaConfig(file);
    const tokenizer = tokenizerFromGguf(file);
    const types = [...new Set([...file.tensors.values()].map((t) => t.type))];
    const next: LoadedModel = {
      name: config.name,
      fileName,
      sizeBytes: blob.size,
      key: await modelKey(blob),
      file,
      config,
      tokenizer,
      tensorTypes: types.map((t) => GgmlType[t] ?? String(t)),
      gpuBytes: 0,
    };
    await gpuSettled();
    if (gpuState.current.status === 'ready') {
      const up = await upload(next, uploadAbort.signal);
      next.gpuBytes = up.model.bytes;
      gpuModel?.model.destroy();
      gpuModel = up;
    }
    session.model = next;
    if (session.results?.model.file !== fileName)
      session.threshold = defaultThreshold(config.blockCount);
    session.modelStatus = 'ready';
  } catch (e) {
    // the previous model, if any, stays loaded
    session.modelError =
      (e as Error).name === 'AbortError'
        ? `Loading ${fileName} was cancelled; ${session.model ? `${session.model.fileName} stays loaded` : 'no model is loaded'}.`
        : (e as Error).message;
    session.modelStatus = session.model ? 'ready' : before === 'ready' ? 'ready' : 'error';
  } finally {
    session.upload = null;
    uploadAbort = null;
  }
}

export function cancelModelLoad(): void {
  uploadAbort?.abort();
}

export async function loadDemoModel(): Promise<void> {
  const blocked = modelLoadBlocked();
  if (blocked) {
    session.modelError = `The demo model was not loaded. ${blocked}`;
    return;
  }
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

/** The loaded model's weights on the page's GPU (uploaded at load; again if the GPU was late). */
/**
 * The context a run at `precision` uses: the model's own (f32), or one with the f16 path on the
 * same device (the weights do not depend on it). Throws where the adapter has no shader-f16.
 */
export function runContext(base: GpuContext, precision: Precision): GpuContext {
  if (precision === 'f32') return base;
  const g = gpuState.current;
  if (g.status !== 'ready') throw new Error('WebGPU is not ready');
  if (f16Context?.device !== base.device)
    f16Context = new GpuContext(base.device, optionsFor(g.gpu.summary, 'f16'));
  return f16Context;
}

export async function ensureGpuModel(): Promise<{ model: GpuLlama; ctx: GpuContext }> {
  const m = session.model;
  if (!m) throw new Error('no model loaded');
  if (!gpuModel || gpuModel.key !== m.key) {
    gpuModel?.model.destroy();
    gpuModel = null;
    gpuModel = await upload(m);
  }
  return gpuModel;
}
