// Streamed GGUF reader (versions 2 and 3): header, metadata, tensor infos, tensor data.
// The header is read through a cursor that pulls chunks from the source on demand, so a 7 GB
// file is never one buffer. Every count and length is checked against the bytes that remain
// before anything is allocated.
import { quoted } from '../util/message';
import { firstNonFinite } from './finite';
import { GgufError } from './errors';
import type { ByteSource } from './source';
import { dequantize } from './dequant';
import {
  BLOCK,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSIONS,
  GgufValueType,
  SUPPORTED_TYPES_TEXT,
  typeName,
  GgmlType,
  type GgufEntry,
  type GgufValue,
} from './types';

export interface TensorInfo {
  name: string;
  /** GGUF order, innermost first: a PyTorch (out, in) weight is [in, out] */
  dims: number[];
  type: GgmlType;
  /** absolute byte offset in the file */
  offset: number;
  elements: number;
  bytes: number;
}

export interface GgufFile {
  source: ByteSource;
  version: number;
  metadata: Map<string, GgufEntry>;
  tensors: Map<string, TensorInfo>;
  alignment: number;
  dataOffset: number;
}

const CHUNK = 1 << 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MIN_KV_BYTES = 8 + 4 + 1; // key length, type, smallest value
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8; // name length, n_dims, one dim, type, offset
const SCALAR_BYTES: Partial<Record<GgufValueType, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};
const MAX_ARRAY_DEPTH = 8;

class Cursor {
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private start = 0; // file offset of buf[0]
  pos = 0; // file offset of the next byte

  constructor(readonly src: ByteSource) {}

  fail(problem: string, supported?: string): never {
    throw new GgufError(this.src.name, problem, supported);
  }

  remaining(): number {
    return this.src.size - this.pos;
  }

  /** Makes [pos, pos + n) available, or fails naming what was being read. */
  async need(n: number, what: string): Promise<void> {
    if (this.pos + n <= this.start + this.buf.byteLength) return;
    if (this.pos + n > this.src.size) {
      this.fail(
        `file ends at byte ${this.src.size} while reading ${what} at byte ${this.pos} (needs ${n} bytes): truncated or corrupt`,
      );
    }
    const keep = this.buf.subarray(this.pos - this.start);
    const more = await this.src.read(
      this.start + this.buf.byteLength,
      Math.max(CHUNK, n - keep.byteLength),
    );
    const next = new Uint8Array(keep.byteLength + more.byteLength);
    next.set(keep);
    next.set(more, keep.byteLength);
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.start = this.pos;
  }

  private at(n: number): number {
    const o = this.pos - this.start;
    this.pos += n;
    return o;
  }

  async u32(what: string): Promise<number> {
    await this.need(4, what);
    return this.view.getUint32(this.at(4), true);
  }

  /** A u64 as a number; values past 2^53 are reported as absurd. */
  async u64(what: string): Promise<number> {
    await this.need(8, what);
    const v = this.view.getBigUint64(this.at(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      this.fail(`${what} is ${v}, larger than any real file`);
    return Number(v);
  }

  async bytes(n: number, what: string): Promise<Uint8Array> {
    await this.need(n, what);
    const o = this.at(n);
    return this.buf.subarray(o, o + n);
  }

  async string(what: string): Promise<string> {
    const len = await this.u64(`length of ${what}`);
    if (len > this.remaining()) {
      this.fail(`${what} claims ${len} bytes but only ${this.remaining()} remain`);
    }
    const b = await this.bytes(len, what);
    try {
      return utf8.decode(b);
    } catch {
      return this.fail(`${what} is not valid UTF-8`);
    }
  }

  async scalar(t: GgufValueType, what: string): Promise<GgufValue> {
    const size = SCALAR_BYTES[t];
    if (t === GgufValueType.STRING) return this.string(what);
    if (size === undefined) this.fail(`${what} has unknown value type ${t}`, 'value types 0–12');
    await this.need(size, what);
    const v = this.view;
    const o = this.at(size);
    switch (t) {
      case GgufValueType.UINT8:
        return v.getUint8(o);
      case GgufValueType.INT8:
        return v.getInt8(o);
      case GgufValueType.UINT16:
        return v.getUint16(o, true);
      case GgufValueType.INT16:
        return v.getInt16(o, true);
      case GgufValueType.UINT32:
        return v.getUint32(o, true);
      case GgufValueType.INT32:
        return v.getInt32(o, true);
      case GgufValueType.FLOAT32:
        return v.getFloat32(o, true);
      case GgufValueType.BOOL:
        return v.getUint8(o) !== 0;
      case GgufValueType.FLOAT64:
        return v.getFloat64(o, true);
      case GgufValueType.UINT64: {
        const x = v.getBigUint64(o, true);
        return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
      }
      default: {
        const x = v.getBigInt64(o, true);
        return x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= BigInt(Number.MIN_SAFE_INTEGER)
          ? Number(x)
          : x;
      }
    }
  }

  async value(t: GgufValueType, what: string, depth = 0): Promise<GgufValue> {
    if (t !== GgufValueType.ARRAY) return this.scalar(t, what);
    if (depth >= MAX_ARRAY_DEPTH) this.fail(`${what} nests arrays deeper than ${MAX_ARRAY_DEPTH}`);
    const itemType = (await this.u32(`item type of ${what}`)) as GgufValueType;
    const count = await this.u64(`item count of ${what}`);
    const minItem =
      itemType === GgufValueType.STRING
        ? 8
        : itemType === GgufValueType.ARRAY
          ? 12
          : SCALAR_BYTES[itemType];
    if (minItem === undefined)
      this.fail(`${what} has unknown item type ${itemType}`, 'value types 0–12');
    if (count * minItem > this.remaining()) {
      this.fail(`${what} claims ${count} items but only ${this.remaining()} bytes remain`);
    }
    if (
      itemType === GgufValueType.FLOAT32 ||
      itemType === GgufValueType.INT32 ||
      itemType === GgufValueType.UINT32
    ) {
      const raw = await this.bytes(count * 4, what);
      const copy = raw.slice().buffer;
      const items =
        itemType === GgufValueType.FLOAT32
          ? new Float32Array(copy)
          : itemType === GgufValueType.INT32
            ? new Int32Array(copy)
            : new Uint32Array(copy);
      return { itemType, items };
    }
    const items: GgufValue[] = new Array(count);
    for (let i = 0; i < count; i++)
      items[i] = await this.value(itemType, `${what}[${i}]`, depth + 1);
    return { itemType, items };
  }
}

/** Reads the header, metadata and tensor table of a GGUF file; tensor data stays on disk. */
/** No two tensors share bytes (llama.cpp refuses such files; a writer's bug or a crafted file). */
function checkNoOverlap(c: Cursor, tensors: TensorInfo[]): void {
  const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const a = byOffset[i - 1];
    const b = byOffset[i];
    if (b.offset < a.offset + a.bytes) {
      c.fail(
        `tensors ${quoted(a.name)} (bytes ${a.offset}…${a.offset + a.bytes - 1}) and ${quoted(b.name)} (from byte ${b.offset}) overlap`,
      );
    }
  }
}

export async function readGguf(source: ByteSource): Promise<GgufFile> {
  const c: Cursor = new Cursor(source);
  if (source.size < 24) c.fail(`only ${source.size} bytes: too short for a GGUF header (24 bytes)`);
  const magic = await c.u32('magic');
  if (magic !== GGUF_MAGIC) {
    const got = String.fromCharCode(
      magic & 255,
      (magic >> 8) & 255,
      (magic >> 16) & 255,
      magic >>> 24,
    );
    c.fail(
      `not a GGUF file: starts with ${quoted(got)} instead of "GGUF"`,
      'GGUF versions 2 and 3, as written by llama.cpp',
    );
  }
  const version = await c.u32('version');
  if (!(GGUF_VERSIONS as readonly number[]).includes(version)) {
    c.fail(`GGUF version ${version} is not supported`, 'GGUF versions 2 and 3');
  }
  const tensorCount = await c.u64('tensor count');
  const kvCount = await c.u64('metadata count');
  if (kvCount * MIN_KV_BYTES > c.remaining()) {
    c.fail(`metadata count ${kvCount} cannot fit in the ${c.remaining()} bytes that remain`);
  }
  if (tensorCount * MIN_TENSOR_INFO_BYTES > c.remaining()) {
    c.fail(`tensor count ${tensorCount} cannot fit in the ${c.remaining()} bytes that remain`);
  }
  const metadata = new Map<string, GgufEntry>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string(`metadata key ${i}`);
    const type = (await c.u32(`type of metadata ${quoted(key)}`)) as GgufValueType;
    const value = await c.value(type, `metadata ${quoted(key)}`);
    // llama.cpp refuses these too: which of the two would the model use?
    if (metadata.has(key)) c.fail(`metadata ${quoted(key)} appears twice`);
    metadata.set(key, { type, value });
  }
  const alignEntry = metadata.get('general.alignment');
  const alignment = alignEntry ? Number(alignEntry.value) : GGUF_DEFAULT_ALIGNMENT;
  if (
    !Number.isInteger(alignment) ||
    alignment <= 0 ||
    alignment % 8 !== 0 ||
    alignment > 1 << 20
  ) {
    c.fail(`general.alignment is ${String(alignEntry?.value)}`, 'a positive multiple of 8');
  }
  const infos: Omit<TensorInfo, 'offset'>[] = [];
  const relOffsets: number[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string(`name of tensor ${i}`);
    const nd = await c.u32(`dimension count of tensor ${quoted(name)}`);
    if (nd < 1 || nd > 4)
      c.fail(`tensor ${quoted(name)} has ${nd} dimensions`, '1 to 4 dimensions');
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nd; d++) {
      const n = await c.u64(`dimension ${d} of tensor ${quoted(name)}`);
      if (n === 0) c.fail(`tensor ${quoted(name)} has a zero dimension`);
      dims.push(n);
      elements *= n;
      if (elements > source.size * 8)
        c.fail(
          `tensor ${quoted(name)} claims ${dims.join('×')}… elements, more than the file can hold`,
        );
    }
    const type = (await c.u32(`type of tensor ${quoted(name)}`)) as GgmlType;
    const block = BLOCK[type];
    if (!block)
      c.fail(
        `tensor ${quoted(name)} has ${GgmlType[type] ? `type ${typeName(type)}` : typeName(type)}, which is not supported`,
        SUPPORTED_TYPES_TEXT,
      );
    if (dims[0] % block.elements !== 0) {
      c.fail(
        `tensor ${quoted(name)} of type ${typeName(type)} has rows of ${dims[0]} elements, not a multiple of its block (${block.elements})`,
      );
    }
    const off = await c.u64(`data offset of tensor ${quoted(name)}`);
    if (off % alignment !== 0)
      c.fail(`tensor ${quoted(name)} data offset ${off} is not aligned to ${alignment}`);
    infos.push({ name, dims, type, elements, bytes: (elements / block.elements) * block.bytes });
    relOffsets.push(off);
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors = new Map<string, TensorInfo>();
  infos.forEach((t, i) => {
    const offset = dataOffset + relOffsets[i];
    if (offset + t.bytes > source.size) {
      c.fail(
        `tensor ${quoted(t.name)} data (${t.bytes} bytes at ${offset}) runs past the end of the file (${source.size} bytes): truncated file`,
      );
    }
    if (tensors.has(t.name)) c.fail(`tensor ${quoted(t.name)} appears twice`);
    tensors.set(t.name, { ...t, offset });
  });
  checkNoOverlap(c, [...tensors.values()]);
  return { source, version, metadata, tensors, alignment, dataOffset };
}

/**
 * The raw bytes of a tensor (still quantized). A NaN or ±Inf in them (an element, or a block's
 * scale) is refused with the tensor and block: it would make every score of the run NaN or wrong.
 */
export async function readTensorBytes(
  file: GgufFile,
  name: string,
  /** only these bytes of the tensor (whole blocks): a matrix stacked in a fused tensor */
  part?: { start: number; length: number },
): Promise<Uint8Array> {
  const t = tensorInfo(file, name);
  const { start, length } = part ?? { start: 0, length: t.bytes };
  const b = await file.source.read(t.offset + start, length);
  if (b.byteLength !== length || start + length > t.bytes)
    throw new GgufError(file.source.name, `tensor ${quoted(name)} could not be read whole`);
  const bad = firstNonFinite(t.type, b);
  if (bad) {
    const blk = BLOCK[t.type]!;
    const first = (start / blk.bytes) * blk.elements;
    const where =
      blk.elements > 1
        ? `block ${bad.block + first / blk.elements} (elements ${bad.element + first}…${bad.element + first + blk.elements - 1}) has ${bad.value === 'NaN' ? 'a NaN' : 'an infinite'} scale`
        : `element ${bad.element + first} is ${bad.value}`;
    throw new GgufError(
      file.source.name,
      `tensor ${quoted(name)}: ${where}`,
      'finite weights only',
    );
  }
  return b;
}

/** A tensor decoded to f32 (for the reference backend and small models). */
export async function readTensorF32(file: GgufFile, name: string): Promise<Float32Array> {
  const t = tensorInfo(file, name);
  return dequantize(t.type, await readTensorBytes(file, name), t.elements);
}

export function tensorInfo(file: GgufFile, name: string): TensorInfo {
  const t = file.tensors.get(name);
  if (!t) throw new GgufError(file.source.name, `has no tensor ${quoted(name)}`);
  return t;
}
