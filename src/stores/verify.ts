// The "Verify engine" action: the loaded model's forward in our WGSL engine and, independently, as
// an ONNX graph of the same GGUF weights in onnxruntime-web (WASM); the last-position logits
// compared. onnxruntime-web is large: loaded only when a check is asked for.
import { session } from './session.svelte';
import { ensureGpuModel } from './model';
import { loadLlamaWeights } from '../model/weights';
import { gpuForwardLogits } from '../engine/run-gpu';
import type { Verification } from '../onnx/verify';
import { sampleTokens } from '../samples/load';

/** Verifies the loaded model on `text`; the result is also kept in session.verification. */
export async function verifyLoadedModel(text: string): Promise<{ v: Verification; piece: string }> {
  const m = session.model;
  if (!m) throw new Error('no model is loaded');
  const [{ verifyEngine }, { configureOrt }] = await Promise.all([
    import('../onnx/verify'),
    import('../onnx/run'),
  ]);
  configureOrt();
  const tokens = sampleTokens({ source: 'verify', text }, m.tokenizer, m.config.contextLength);
  const gm = await ensureGpuModel();
  const weights = await loadLlamaWeights(m.file);
  const v = await verifyEngine(weights, tokens, (t) => gpuForwardLogits(gm.ctx, gm.model, t));
  const p = m.tokenizer.decode([v.token]);
  session.verification = v;
  return { v, piece: p.includes('\uFFFD') ? '(a byte token)' : JSON.stringify(p) };
}
