// llama.cpp itself (node-llama-cpp's prebuilt CPU build, a test-time dev dependency) as the outside
// reference: the raw last-position logits of given token ids for a GGUF file image. Its KV cache
// is kept in f32 and flash attention off, so on F32 weights it computes what our engine computes
// (the difference left is its rounding of activations to the weight's type for f16, bf16 and
// quantized matrices, see tests/gpu/llamacpp.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getLlama,
  LlamaLogLevel,
  type ControlledEvaluateInputItem,
  type Llama,
  type Token,
} from 'node-llama-cpp';

let opened: Promise<Llama> | undefined;

function llama(): Promise<Llama> {
  opened ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  return opened;
}

/** llama.cpp's token ids of each text (no BOS: as our tokenizers' encode), for the model `bytes`. */
export async function llamaCppTokens(bytes: Uint8Array, texts: string[]): Promise<number[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-llamacpp-'));
  const path = join(dir, 'model.gguf');
  writeFileSync(path, bytes);
  const model = await (await llama()).loadModel({ modelPath: path, gpuLayers: 0, vocabOnly: true });
  try {
    return texts.map((t) => [...model.tokenize(t)].filter((id) => id !== model.tokens.bos));
  } finally {
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** llama.cpp's logits (V) at the last position of each token sequence, for the model `bytes`. */
export async function llamaCppLogits(
  bytes: Uint8Array,
  sequences: number[][],
): Promise<Float32Array[]> {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-llamacpp-'));
  const path = join(dir, 'model.gguf');
  writeFileSync(path, bytes);
  const model = await (await llama()).loadModel({ modelPath: path, gpuLayers: 0 });
  try {
    const context = await model.createContext({
      contextSize: 256,
      threads: 2,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    });
    const out: Float32Array[] = [];
    const seq = context.getSequence();
    for (const tokens of sequences) {
      await seq.clearHistory();
      const last = tokens.length - 1;
      const res = await seq.controlledEvaluate(
        tokens.map((t, i): ControlledEvaluateInputItem =>
          i === last ? [t as Token, { generateNext: { logits: true } }] : (t as Token),
        ),
      );
      const logits = res[last]?.next?.logits;
      if (!logits) throw new Error('llama.cpp returned no logits');
      const row = new Float32Array(logits.size);
      for (const [id, v] of logits) row[id] = v;
      out.push(row);
    }
    await context.dispose();
    return out;
  } finally {
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** max |a − b| and max |b| over a vocabulary. */
export function logitDiff(a: ArrayLike<number>, b: ArrayLike<number>) {
  let diff = 0;
  let scale = 1;
  for (let v = 0; v < b.length; v++) {
    diff = Math.max(diff, Math.abs(a[v] - b[v]));
    scale = Math.max(scale, Math.abs(b[v]));
  }
  return { diff, scale };
}
