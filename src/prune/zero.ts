// Pruned weights set to exactly 0. In a tensor's own bytes for the types where 0 is exact and the
// other weights stay bit for bit: F32, F16, BF16 (0 is 0), Q8_0 (value d · q: q = 0) and Q4_0
// (value d · (q − 8): q = 8). Types whose blocks have a min offset or shared sub-block scales
// (Q4_1, Q5_0, Q5_1, the K-quants) cannot hold an exact 0 without re-encoding their block: a
// pruned matrix of those types is re-encoded as F16 first (REENCODED: each weight decoded as the
// file's type decodes it, rounded to the nearest half; exact zeros; the file's other tensors keep
// their bytes), on both backends, so the model measured is the model exported.
import { dequantize } from '../gguf/dequant';
import { f32ToF16 } from '../gguf/half';
import { GgmlType, WEIGHT_TYPES, ZEROABLE, tensorBytes, typeName } from '../gguf/types';
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import { formatBytes } from '../util/format';
import { matrixSource } from '../model/layout';
import type { GgufFile } from '../gguf/reader';
import { pruneZero } from '../reference/prune_zero';

/** What a pruned matrix of a type without an exact 0 is written as. */
export const REENCODED = GgmlType.F16;

/** A pruned matrix: its type (the file's, or REENCODED) and bytes. */
export interface PrunedTensor {
  type: GgmlType;
  bytes: Uint8Array;
}

/** Refuses a tensor whose type the engine does not decode, by name (before anything is pruned). */
export function checkZeroable(name: string, type: GgmlType): void {
  if (!WEIGHT_TYPES.some((k) => k.type === type))
    throw new Error(
      `tensor "${name}" is ${GgmlType[type] ?? type}: pruning writes the weight types the engine reads (${WEIGHT_TYPES.map((k) => typeName(k.type)).join(', ')})`,
    );
}

/**
 * The F16 bytes of a tensor's weights as its type decodes them (n elements); a weight beyond
 * F16's range is refused by name rather than written as infinity.
 */
export function reencodeF16(
  name: string,
  type: GgmlType,
  bytes: Uint8Array,
  n: number,
): Uint8Array {
  const x = dequantize(type, bytes, n);
  const out = new Uint8Array(n * 2);
  const v = new DataView(out.buffer);
  for (let e = 0; e < n; e++) {
    if (!(Math.abs(x[e]) <= 65504))
      throw new Error(
        `tensor "${name}" (${typeName(type)}) holds ${x[e]} at element ${e}: beyond F16's range, so its pruned matrix cannot be re-encoded as F16`,
      );
    v.setUint16(e * 2, f32ToF16(x[e]), true);
  }
  return out;
}

/**
 * `bytes` (a tensor of `type`, n elements) with the elements whose bit is set in `bits` (element
 * e: bit e & 31 of word e >> 5, as shaders/prune_mask.wgsl writes them) set to exactly 0 — in a
 * copy of its own bytes, or of its F16 re-encoding for a type without an exact 0.
 */
export function prunedTensor(
  name: string,
  type: GgmlType,
  bytes: Uint8Array,
  bits: Uint32Array,
  n: number,
): PrunedTensor {
  checkZeroable(name, type);
  if (ZEROABLE.includes(type)) return { type, bytes: pruneZero(name, type, bytes, bits, n) };
  const f16 = reencodeF16(name, type, bytes, n);
  return { type: REENCODED, bytes: pruneZero(name, REENCODED, f16, bits, n) };
}

/** GPU bytes of the matrices pruning re-encodes (types without an exact 0): as stored, and as F16. */
export interface ReencodedBytes {
  file: number;
  f16: number;
}

/** ReencodedBytes of a model of config c whose matrix m of layer l has type typeOf(l, m). */
export function reencodedBytes(
  c: LlamaConfig,
  typeOf: (l: number, m: MatrixName) => GgmlType | undefined,
): ReencodedBytes {
  const out = { file: 0, f16: 0 };
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      const t = typeOf(l, m);
      if (t === undefined || ZEROABLE.includes(t)) continue;
      const { O, I } = matrixShape(c, m);
      out.file += tensorBytes(t, O * I);
      out.f16 += tensorBytes(REENCODED, O * I);
    }
  return out;
}

/**
 * What pruning does to a model's matrices of types without an exact 0, in words ('' when none):
 * the lab and the export note say it; with `bytes`, also the GPU memory they take while pruned.
 */
export function reencodedNote(types: GgmlType[], bytes?: ReencodedBytes): string {
  const kinds = [...new Set(types.filter((t) => !ZEROABLE.includes(t)))].map(typeName);
  if (!kinds.length) return '';
  const memory = bytes
    ? `; while pruned they take ${formatBytes(bytes.f16)} of GPU memory instead of ${formatBytes(bytes.file)}`
    : '';
  return `its ${kinds.join(', ')} matrices are pruned and exported as ${typeName(REENCODED)} (no exact 0 in their blocks; the other tensors keep their bytes)${memory}`;
}

/** reencodedNote with the GPU memory, for the matrices of a GGUF file (fused tensors included). */
export function fileReencodedNote(file: GgufFile, c: LlamaConfig): string {
  return reencodedNote(fileMatrixTypes(file, c), reencodedBytes(c, fileMatrixType(file, c)));
}

/** The type of matrix m of layer l in a GGUF file (its tensor's, fused or not). */
const fileMatrixType = (file: GgufFile, c: LlamaConfig) => (l: number, m: MatrixName) =>
  file.tensors.get(matrixSource(c, l, m).tensor)?.type;

/** The types of the 7 matrices of every layer of a GGUF file. */
export function fileMatrixTypes(file: GgufFile, c: LlamaConfig): GgmlType[] {
  const typeOf = fileMatrixType(file, c);
  return Array.from({ length: c.blockCount }, (_, l) => MATRICES.map((m) => typeOf(l, m)))
    .flat()
    .filter((t): t is GgmlType => t !== undefined);
}
