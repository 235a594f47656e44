// Where each architecture keeps the 7 scored matrices (and Qwen2's q, k, v biases) in its GGUF
// file, and how they are read into the one layout the engine computes with:
// - llama: one tensor per matrix, q and k rows in Meta's RoPE order (rotated pairs adjacent: the
//   order llama.cpp's converter writes).
// - qwen2: the same names plus attn_{q,k,v}.bias; RoPE on halves (NeoX order: dimension i turns
//   with i + ropeDims/2).
// - phi3: q, k, v stacked in attn_qkv and gate, up stacked in ffn_up (rows in that order, as
//   llama.cpp splits them); RoPE on halves.
// Rows of q and k (and their biases) in NeoX order are read in Meta's order: per head, row
// 2i ← i and 2i + 1 ← i + ropeDims/2. Attention is unchanged by it (q and k get the same order
// within each head, and a pair turns as before) and so are densities and LLMDcos (every sample's
// scores see the same order), so one set of kernels serves all three.
import { readTensorBytes, readTensorF32, type GgufFile } from '../gguf/reader';
import { dequantize } from '../gguf/dequant';
import { tensorBytes } from '../gguf/types';
import {
  MATRICES,
  MATRIX_TENSOR,
  matrixShape,
  type Architecture,
  type LlamaConfig,
  type MatrixName,
} from './config';

export const archOf = (c: LlamaConfig): Architecture => c.architecture ?? 'llama';

/** Whether the file's q and k rows are in NeoX order (RoPE on halves). */
export const neoxRope = (c: LlamaConfig) => archOf(c) !== 'llama';

/** The tensor a matrix is read from and its rows there. */
export interface MatrixSource {
  tensor: string;
  /** first row of the matrix in the tensor */
  row: number;
}

export function matrixSource(c: LlamaConfig, l: number, m: MatrixName): MatrixSource {
  const blk = `blk.${l}.`;
  if (archOf(c) !== 'phi3') return { tensor: `${blk}${MATRIX_TENSOR[m]}.weight`, row: 0 };
  const HD = c.headCount * c.headDim;
  const KV = c.headCountKv * c.headDim;
  const qkv = `${blk}attn_qkv.weight`;
  const up = `${blk}ffn_up.weight`;
  const at: Record<MatrixName, MatrixSource> = {
    q: { tensor: qkv, row: 0 },
    k: { tensor: qkv, row: HD },
    v: { tensor: qkv, row: HD + KV },
    o: { tensor: `${blk}attn_output.weight`, row: 0 },
    gate: { tensor: up, row: 0 },
    up: { tensor: up, row: c.feedForwardLength },
    down: { tensor: `${blk}ffn_down.weight`, row: 0 },
  };
  return at[m];
}

/** The biased matrices of an architecture (Qwen2: q, k, v). */
export const biasedMatrices = (c: LlamaConfig): MatrixName[] =>
  archOf(c) === 'qwen2' ? ['q', 'k', 'v'] : [];

export const biasTensorName = (l: number, m: MatrixName) => `blk.${l}.${MATRIX_TENSOR[m]}.bias`;

/** Every tensor of one layer with its GGUF shape (innermost first), in the order files keep them. */
export function layerTensors(c: LlamaConfig, l: number): { name: string; dims: number[] }[] {
  const C = c.embeddingLength;
  const out = [{ name: `blk.${l}.attn_norm.weight`, dims: [C] }];
  const seen = new Map<string, number[]>();
  for (const m of MATRICES) {
    const { O, I } = matrixShape(c, m);
    const s = matrixSource(c, l, m);
    const d = seen.get(s.tensor);
    if (d) d[1] = Math.max(d[1], s.row + O);
    else seen.set(s.tensor, [I, s.row + O]);
  }
  for (const [name, dims] of seen) out.push({ name, dims });
  out.push({ name: `blk.${l}.ffn_norm.weight`, dims: [C] });
  for (const m of biasedMatrices(c))
    out.push({ name: biasTensorName(l, m), dims: [matrixShape(c, m).O] });
  return out;
}

/** Meta order from NeoX order: the source row of each row, per head of Dh rows. */
export function neoxRowOrder(rows: number, headDim: number, ropeDims: number): Int32Array {
  const from = new Int32Array(rows);
  const half = ropeDims / 2;
  for (let r = 0; r < rows; r++) {
    const h = r - (r % headDim);
    const j = r % headDim;
    from[r] = j >= ropeDims ? r : h + (j >> 1) + (j & 1 ? half : 0);
  }
  return from;
}

function reorderRows<A extends Uint8Array | Float32Array>(x: A, from: Int32Array): A {
  const n = x.length / from.length;
  const out = new (x.constructor as { new (n: number): A })(x.length);
  from.forEach((src, r) => out.set(x.subarray(src * n, (src + 1) * n), r * n));
  return out;
}

const needsReorder = (c: LlamaConfig, m: MatrixName) => neoxRope(c) && (m === 'q' || m === 'k');

/** Values of matrix m, (O, n) in its file's row order, in the engine's (the reading's reorder). */
export function toEngineRowOrder(c: LlamaConfig, m: MatrixName, x: Float32Array): Float32Array {
  return needsReorder(c, m)
    ? reorderRows(x, neoxRowOrder(matrixShape(c, m).O, c.headDim, c.ropeDims))
    : x;
}

/**
 * Rows of matrix m, (O, n) in the engine's row order — values, or raw bytes of any type — in its
 * file's row order (the inverse of the reading's reorder; the same array when there is none).
 */
export function toFileRowOrder<A extends Uint8Array | Float32Array>(
  c: LlamaConfig,
  m: MatrixName,
  x: A,
): A {
  if (!needsReorder(c, m)) return x;
  const from = neoxRowOrder(matrixShape(c, m).O, c.headDim, c.ropeDims);
  const n = x.length / from.length;
  const out = new (x.constructor as { new (n: number): A })(x.length);
  from.forEach((src, r) => out.set(x.subarray(r * n, (r + 1) * n), src * n));
  return out;
}

/** Matrix m of layer l as raw bytes of its tensor's type, (O, I), in the engine's row order. */
export async function readMatrixBytes(
  file: GgufFile,
  c: LlamaConfig,
  l: number,
  m: MatrixName,
): Promise<{ bytes: Uint8Array; type: number; tensor: string }> {
  const { O, I } = matrixShape(c, m);
  const s = matrixSource(c, l, m);
  const t = file.tensors.get(s.tensor)!;
  const rowBytes = tensorBytes(t.type, I);
  let bytes = await readTensorBytes(file, s.tensor, {
    start: s.row * rowBytes,
    length: O * rowBytes,
  });
  if (needsReorder(c, m)) bytes = reorderRows(bytes, neoxRowOrder(O, c.headDim, c.ropeDims));
  return { bytes, type: t.type, tensor: s.tensor };
}

/** Matrix m of layer l as f32, (O, I), in the engine's row order. */
export async function readMatrixF32(
  file: GgufFile,
  c: LlamaConfig,
  l: number,
  m: MatrixName,
): Promise<Float32Array> {
  const { O, I } = matrixShape(c, m);
  const { bytes, type } = await readMatrixBytes(file, c, l, m);
  return dequantize(type, bytes, O * I);
}

/** The bias of matrix m of layer l (O), in the engine's row order. */
export async function readBiasF32(
  file: GgufFile,
  c: LlamaConfig,
  l: number,
  m: MatrixName,
): Promise<Float32Array> {
  const b = await readTensorF32(file, biasTensorName(l, m));
  return needsReorder(c, m) ? reorderRows(b, neoxRowOrder(b.length, c.headDim, c.ropeDims)) : b;
}

export const ARCHITECTURE_NAMES: Record<Architecture, string> = {
  llama: 'Llama',
  qwen2: 'Qwen2',
  phi3: 'Phi-3',
};

/** One line on how the file's tensors became the 7 scored matrices ('' for llama). */
export function layoutNote(c: LlamaConfig): string {
  const rope =
    'RoPE on halves: q and k rows are scored in adjacent-pair order (densities and LLMDcos do not depend on row order)';
  switch (archOf(c)) {
    case 'qwen2':
      return `Qwen2: q, k, v biases are added in the forward, the score covers the 7 weight matrices; ${rope}.`;
    case 'phi3':
      return `Phi-3: attn_qkv is scored as q, k, v and ffn_up as gate, up (split by rows, as llama.cpp splits them); ${rope}.`;
    default:
      return '';
  }
}
