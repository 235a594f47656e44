// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON ({"__metadata__": {string: string}, name: {dtype, shape, data_offsets}}),
// padded with spaces to a multiple of 8, then the tensors' raw little-endian bytes, offsets
// relative to the end of the header, covering the data without holes. Written by us for per-weight
// scores (src/scores/layout.ts), read back bounded (files from other machines are hostile).

export interface SafeTensor {
  name: string;
  dtype: 'F32';
  /** row-major, outermost first (PyTorch's order) */
  shape: number[];
  /** byte offsets [begin, end) from the start of the data */
  offsets: [number, number];
}

export interface SafeHeader {
  metadata: Record<string, string>;
  tensors: SafeTensor[];
  /** file offset of the data (8 + header length) */
  dataStart: number;
  /** bytes of data in all */
  dataBytes: number;
}

/** A header for F32 tensors laid out in the given order. */
export function buildHeader(
  tensors: { name: string; shape: number[] }[],
  metadata: Record<string, string>,
): { bytes: Uint8Array; header: SafeHeader } {
  let at = 0;
  const laid: SafeTensor[] = tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1) * 4;
    const s: SafeTensor = { name: t.name, dtype: 'F32', shape: t.shape, offsets: [at, at + n] };
    at += n;
    return s;
  });
  const json: Record<string, unknown> = { __metadata__: metadata };
  for (const t of laid) json[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.offsets };
  let text = JSON.stringify(json);
  text += ' '.repeat((8 - ((new TextEncoder().encode(text).length + 8) % 8)) % 8);
  const body = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + body.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(body.length), true);
  bytes.set(body, 8);
  return {
    bytes,
    header: { metadata, tensors: laid, dataStart: bytes.length, dataBytes: at },
  };
}

/** The most header bytes a scores file may claim (a 7B model's header is ≈ 40 KB). */
export const MAX_HEADER_BYTES = 16 << 20;
/** The most tensors a scores file may hold (512 layers × 7 matrices, with room). */
export const MAX_TENSORS = 8192;

/** The header length a file's first 8 bytes claim; throws past the bounds or the file's size. */
export function headerLength(first8: Uint8Array, fileSize: number): number {
  if (first8.length < 8) throw new Error('shorter than the 8-byte header length');
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8)))
    throw new Error(`claims a ${n}-byte header (at most ${MAX_HEADER_BYTES} and within the file)`);
  return Number(n);
}

/** Parses and checks a header (the JSON bytes after the length) against the file's size. */
export function parseHeader(json: Uint8Array, fileSize: number): SafeHeader {
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw new Error(`its header is not JSON (${(e as Error).message})`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new Error('its header is not a JSON object');
  const entries = Object.entries(o as Record<string, unknown>);
  if (entries.length > MAX_TENSORS + 1) throw new Error(`more than ${MAX_TENSORS} tensors`);
  const metadata: Record<string, string> = {};
  const tensors: SafeTensor[] = [];
  for (const [name, v] of entries) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null) throw new Error('__metadata__ is not an object');
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string') throw new Error(`__metadata__.${k} is not a string`);
        metadata[k] = x;
      }
      continue;
    }
    tensors.push(checkTensor(name, v));
  }
  tensors.sort((a, b) => a.offsets[0] - b.offsets[0]);
  let at = 0;
  for (const t of tensors) {
    if (t.offsets[0] !== at)
      throw new Error(`tensor ${t.name} leaves a hole or overlaps at byte ${at}`);
    at = t.offsets[1];
  }
  const dataStart = 8 + json.length;
  if (dataStart + at !== fileSize)
    throw new Error(`its tensors take ${at} bytes but the file holds ${fileSize - dataStart}`);
  return { metadata, tensors, dataStart, dataBytes: at };
}

function checkTensor(name: string, v: unknown): SafeTensor {
  const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (t?.dtype !== 'F32')
    throw new Error(`tensor ${name}: dtype ${String(t?.dtype)}, expected F32`);
  const shape = t.shape;
  if (
    !Array.isArray(shape) ||
    shape.length > 4 ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  )
    throw new Error(`tensor ${name}: shape is not a list of at most 4 sizes`);
  const off = t.data_offsets;
  if (
    !Array.isArray(off) ||
    off.length !== 2 ||
    !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    off[1] - off[0] !== shape.reduce((a: number, b: number) => a * b, 1) * 4
  )
    throw new Error(`tensor ${name}: data_offsets do not match its shape`);
  return { name, dtype: 'F32', shape, offsets: [off[0], off[1]] };
}
