// GGUF writer (version 3): metadata of every value type, tensors quantized on write.
import { quantize } from './quantize';
import {
  BLOCK,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GgufValueType,
  type GgmlType,
  type GgufArray,
  type GgufEntry,
  type GgufValue,
} from './types';

export interface TensorToWrite {
  name: string;
  /** GGUF order, innermost first */
  dims: number[];
  type: GgmlType;
  /** values, quantized to `type` on write */
  data?: Float32Array;
  /** or the tensor's bytes as they are (already of `type`) */
  raw?: Uint8Array;
}

export const meta = {
  u8: (value: number): GgufEntry => ({ type: GgufValueType.UINT8, value }),
  u32: (value: number): GgufEntry => ({ type: GgufValueType.UINT32, value }),
  i32: (value: number): GgufEntry => ({ type: GgufValueType.INT32, value }),
  u64: (value: number | bigint): GgufEntry => ({ type: GgufValueType.UINT64, value }),
  f32: (value: number): GgufEntry => ({ type: GgufValueType.FLOAT32, value }),
  f64: (value: number): GgufEntry => ({ type: GgufValueType.FLOAT64, value }),
  bool: (value: boolean): GgufEntry => ({ type: GgufValueType.BOOL, value }),
  str: (value: string): GgufEntry => ({ type: GgufValueType.STRING, value }),
  arr: (itemType: GgufValueType, items: GgufArray['items']): GgufEntry => ({
    type: GgufValueType.ARRAY,
    value: { itemType, items },
  }),
};

class Out {
  private chunks: Uint8Array[] = [];
  length = 0;
  private static enc = new TextEncoder();

  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.byteLength;
  }
  num(bytes: number, set: (v: DataView) => void): void {
    const b = new Uint8Array(bytes);
    set(new DataView(b.buffer));
    this.push(b);
  }
  u32(v: number): void {
    this.num(4, (d) => d.setUint32(0, v, true));
  }
  u64(v: number | bigint): void {
    this.num(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }
  string(s: string): void {
    const b = Out.enc.encode(s);
    this.u64(b.byteLength);
    this.push(b);
  }
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    if (n) this.push(new Uint8Array(n));
  }
  value(t: GgufValueType, v: GgufValue): void {
    switch (t) {
      case GgufValueType.UINT8:
        return this.num(1, (d) => d.setUint8(0, Number(v)));
      case GgufValueType.INT8:
        return this.num(1, (d) => d.setInt8(0, Number(v)));
      case GgufValueType.UINT16:
        return this.num(2, (d) => d.setUint16(0, Number(v), true));
      case GgufValueType.INT16:
        return this.num(2, (d) => d.setInt16(0, Number(v), true));
      case GgufValueType.UINT32:
        return this.num(4, (d) => d.setUint32(0, Number(v), true));
      case GgufValueType.INT32:
        return this.num(4, (d) => d.setInt32(0, Number(v), true));
      case GgufValueType.FLOAT32:
        return this.num(4, (d) => d.setFloat32(0, Number(v), true));
      case GgufValueType.BOOL:
        return this.num(1, (d) => d.setUint8(0, v ? 1 : 0));
      case GgufValueType.STRING:
        return this.string(String(v));
      case GgufValueType.UINT64:
        return this.num(8, (d) => d.setBigUint64(0, BigInt(v as number), true));
      case GgufValueType.INT64:
        return this.num(8, (d) => d.setBigInt64(0, BigInt(v as number), true));
      case GgufValueType.FLOAT64:
        return this.num(8, (d) => d.setFloat64(0, Number(v), true));
      case GgufValueType.ARRAY: {
        const a = v as GgufArray;
        this.u32(a.itemType);
        this.u64(a.items.length);
        for (const item of a.items) this.value(a.itemType, item);
        return;
      }
    }
  }
  bytes(): Uint8Array {
    const all = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      all.set(c, o);
      o += c.byteLength;
    }
    return all;
  }
}

/** A tensor's place in a file: what the header records. */
export interface TensorHeader {
  name: string;
  dims: number[];
  type: GgmlType;
}

/**
 * The GGUF v3 header (metadata, tensor infos, padding to the data section), the data section's
 * size, tensors laid out in order, and the alignment each tensor starts at (general.alignment).
 */
export function ggufHeader(
  metadata: Iterable<[string, GgufEntry]>,
  tensors: TensorHeader[],
): { header: Uint8Array; dataBytes: number; alignment: number } {
  const kv = [...metadata];
  const alignEntry = kv.find(([k]) => k === 'general.alignment');
  const alignment = alignEntry ? Number(alignEntry[1].value) : GGUF_DEFAULT_ALIGNMENT;
  const o = new Out();
  o.u32(GGUF_MAGIC);
  o.u32(3);
  o.u64(tensors.length);
  o.u64(kv.length);
  for (const [k, e] of kv) {
    o.string(k);
    o.u32(e.type);
    o.value(e.type, e.value);
  }
  let offset = 0;
  for (const t of tensors) {
    const block = BLOCK[t.type];
    if (!block) throw new Error(`tensor ${t.name}: unsupported type ${t.type}`);
    o.string(t.name);
    o.u32(t.dims.length);
    for (const d of t.dims) o.u64(d);
    o.u32(t.type);
    o.u64(offset);
    const bytes = (t.dims.reduce((a, b) => a * b, 1) / block.elements) * block.bytes;
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  o.pad(alignment);
  return { header: o.bytes(), dataBytes: offset, alignment };
}

/** Serializes metadata and tensors to a GGUF v3 file image. */
export function writeGguf(
  metadata: Iterable<[string, GgufEntry]>,
  tensors: TensorToWrite[],
): Uint8Array {
  const encoded = tensors.map((t) => {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    const block = BLOCK[t.type];
    if (!block) throw new Error(`tensor ${t.name}: unsupported type ${t.type}`);
    if (t.raw) {
      const want = (elements / block.elements) * block.bytes;
      if (t.raw.byteLength !== want)
        throw new Error(`tensor ${t.name}: ${t.raw.byteLength} bytes for ${want}`);
      return t.raw;
    }
    if (!t.data || elements !== t.data.length) {
      throw new Error(`tensor ${t.name}: dims ${t.dims.join('×')} but ${t.data?.length} values`);
    }
    return quantize(t.type, t.data);
  });
  const { header, alignment } = ggufHeader(metadata, tensors);
  const o = new Out();
  o.push(header);
  for (const e of encoded) {
    o.push(e);
    o.pad(alignment);
  }
  return o.bytes();
}
