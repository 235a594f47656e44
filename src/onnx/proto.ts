// A minimal protocol-buffers writer: just what serialising an ONNX ModelProto needs (varints,
// length-delimited fields, packed int64s, fixed32 floats). Messages are built as byte chunks and
// joined once, so a model's weights are copied only when the final buffer is assembled.

type Chunk = Uint8Array;

export class ProtoWriter {
  private chunks: Chunk[] = [];
  private size = 0;

  get byteLength(): number {
    return this.size;
  }

  private push(c: Chunk): this {
    this.chunks.push(c);
    this.size += c.byteLength;
    return this;
  }

  private varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }

  /** int32 / int64 / enum / bool field (wire type 0). Negative values take 10 bytes. */
  int(field: number, value: number | bigint): this {
    return this.tag(field, 0).varint(value);
  }

  /** float field (wire type 5, little-endian IEEE single). */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, 5).push(b);
  }

  bytes(field: number, data: Uint8Array): this {
    return this.tag(field, 2).varint(data.byteLength).push(data);
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** An embedded message, written by `build` into a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    this.tag(field, 2).varint(w.size);
    for (const c of w.chunks) this.push(c);
    return this;
  }

  /** Packed repeated int64 (proto3 default for scalar repeated fields). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    this.tag(field, 2).varint(w.size);
    for (const c of w.chunks) this.push(c);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.byteLength;
    }
    return out;
  }
}
