// GGUF value types and ggml tensor types (numbering from ggml.h / gguf.h).

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
export const GGUF_VERSIONS = [2, 3] as const;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** A metadata value: numbers (64-bit integers as bigint only when beyond 2^53), strings, arrays. */
export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufArray;
export interface GgufArray {
  itemType: GgufValueType;
  items: GgufValue[] | Float32Array | Int32Array | Uint32Array;
}

export interface GgufEntry {
  type: GgufValueType;
  value: GgufValue;
}

export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
}

/**
 * The tensor types we read, one entry each (docs/ARCHITECTURE.md, "kinds"): elements and bytes
 * per block; `f16Fields`, the byte offsets of a quantized block's f16 scales (the only fields
 * that can hold NaN/Inf, src/gguf/finite.ts; drawn finite by src/gguf/random-blocks.ts);
 * `zeroable`, whether a weight can be set to an exact 0 in the type's own bytes (pruning,
 * src/reference/prune_zero.ts: no min offset). Every entry has a decoder (src/gguf/dequant.ts) and a case in
 * shaders/quant.wgsl (tests/unit/weight-types.test.ts holds both to the table).
 */
export const WEIGHT_TYPES = [
  { type: GgmlType.F32, elements: 1, bytes: 4, f16Fields: [], zeroable: true },
  { type: GgmlType.F16, elements: 1, bytes: 2, f16Fields: [], zeroable: true },
  { type: GgmlType.BF16, elements: 1, bytes: 2, f16Fields: [], zeroable: true },
  { type: GgmlType.Q4_0, elements: 32, bytes: 18, f16Fields: [0], zeroable: true }, // d | nibbles
  { type: GgmlType.Q4_1, elements: 32, bytes: 20, f16Fields: [0, 2], zeroable: false }, // d, m
  { type: GgmlType.Q5_0, elements: 32, bytes: 22, f16Fields: [0], zeroable: false }, // d
  { type: GgmlType.Q5_1, elements: 32, bytes: 24, f16Fields: [0, 2], zeroable: false }, // d, m
  { type: GgmlType.Q8_0, elements: 32, bytes: 34, f16Fields: [0], zeroable: true }, // d
  { type: GgmlType.Q4_K, elements: 256, bytes: 144, f16Fields: [0, 2], zeroable: false }, // d, dmin
  { type: GgmlType.Q5_K, elements: 256, bytes: 176, f16Fields: [0, 2], zeroable: false }, // d, dmin
  { type: GgmlType.Q6_K, elements: 256, bytes: 210, f16Fields: [208], zeroable: false }, // d last
] as const satisfies readonly {
  type: GgmlType;
  elements: number;
  bytes: number;
  f16Fields: readonly number[];
  zeroable: boolean;
}[];
export type WeightTypeKind = (typeof WEIGHT_TYPES)[number];

/** The table entry of type `t`, or undefined for a type we do not read. */
export function weightType(t: GgmlType): WeightTypeKind | undefined {
  return WEIGHT_TYPES.find((k) => k.type === t);
}

/** The types a pruned weight is set to an exact 0 in (src/reference/prune_zero.ts). */
export const ZEROABLE: GgmlType[] = WEIGHT_TYPES.filter((k) => k.zeroable).map((k) => k.type);

/** Elements per block and bytes per block of every tensor type we decode. */
export const BLOCK: Partial<Record<GgmlType, { elements: number; bytes: number }>> =
  Object.fromEntries(WEIGHT_TYPES.map((k) => [k.type, { elements: k.elements, bytes: k.bytes }]));

export function typeName(t: number): string {
  return GgmlType[t] ?? `type ${t}`;
}

export const SUPPORTED_TYPES_TEXT = `supported tensor types: ${Object.keys(BLOCK)
  .map((k) => GgmlType[Number(k)])
  .join(', ')}`;

/** Bytes taken by `elements` values of type `t` (elements must be a multiple of the block). */
export function tensorBytes(t: GgmlType, elements: number): number {
  const b = BLOCK[t];
  if (!b) throw new Error(`no block size for ${typeName(t)}`);
  return (elements / b.elements) * b.bytes;
}
