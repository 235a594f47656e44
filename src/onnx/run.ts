// Runs an ONNX model in onnxruntime-web on its WASM execution provider (single-threaded, so it
// needs no cross-origin isolation), and returns the last-position logits.
import * as ort from 'onnxruntime-web/wasm';

let configured = false;

/** Where the page serves ORT's .wasm/.mjs files (the app copies them to ./ort/); Node needs none. */
export function configureOrt(wasmPaths?: string): void {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
  configured = true;
}

export async function runLogits(model: Uint8Array, tokens: number[]): Promise<Float32Array> {
  if (!configured) configureOrt();
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
  try {
    const feed = new ort.Tensor('int64', BigInt64Array.from(tokens.map((t) => BigInt(t))), [
      tokens.length,
    ]);
    const out = await session.run({ tokens: feed });
    const logits = out.logits;
    if (!logits || logits.type !== 'float32')
      throw new Error('the ONNX model gave no float32 `logits` output');
    return Float32Array.from(logits.data as Float32Array);
  } finally {
    await session.release();
  }
}
