// Decoders from ggml block formats to f32, one function per type, layouts as in ggml-quants.c.
// Each decodes `n` elements (a multiple of the block) from `src` starting at byte 0 into `dst`.
import { f16ToF32, bf16ToF32 } from './half';
import { BLOCK, GgmlType, typeName } from './types';

type Decoder = (src: Uint8Array, dst: Float32Array, n: number) => void;

function view(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

// F32: 4 bytes little-endian per element.
const decodeF32: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let i = 0; i < n; i++) dst[i] = v.getFloat32(i * 4, true);
};

// F16: 2 bytes per element.
const decodeF16: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let i = 0; i < n; i++) dst[i] = f16ToF32(v.getUint16(i * 2, true));
};

// BF16: 2 bytes per element, the upper half of an f32.
const decodeBF16: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let i = 0; i < n; i++) dst[i] = bf16ToF32(v.getUint16(i * 2, true));
};

// Q4_0: 18 bytes per 32: f16 d | 16 bytes qs. Element j (< 16) is the low nibble of qs[j],
// element j + 16 the high nibble; value = d · (q − 8).
const decodeQ4_0: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 32; b++) {
    const o = b * 18;
    const d = f16ToF32(v.getUint16(o, true));
    for (let j = 0; j < 16; j++) {
      const q = src[o + 2 + j];
      dst[b * 32 + j] = d * ((q & 0xf) - 8);
      dst[b * 32 + j + 16] = d * ((q >> 4) - 8);
    }
  }
};

// Q4_1: 20 bytes per 32: f16 d | f16 m | 16 bytes qs (nibbles as Q4_0); value = d · q + m.
const decodeQ4_1: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 32; b++) {
    const o = b * 20;
    const d = f16ToF32(v.getUint16(o, true));
    const m = f16ToF32(v.getUint16(o + 2, true));
    for (let j = 0; j < 16; j++) {
      const q = src[o + 4 + j];
      dst[b * 32 + j] = d * (q & 0xf) + m;
      dst[b * 32 + j + 16] = d * (q >> 4) + m;
    }
  }
};

// Q5_0: 22 bytes per 32: f16 d | u32 qh (bit j = 5th bit of element j) | 16 bytes qs (low 4 bits,
// nibbles as Q4_0); value = d · (q − 16).
const decodeQ5_0: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 32; b++) {
    const o = b * 22;
    const d = f16ToF32(v.getUint16(o, true));
    const qh = v.getUint32(o + 2, true);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 6 + j];
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      dst[b * 32 + j] = d * (((q & 0xf) | h0) - 16);
      dst[b * 32 + j + 16] = d * (((q >> 4) | h1) - 16);
    }
  }
};

// Q5_1: 24 bytes per 32: f16 d | f16 m | u32 qh | 16 bytes qs; value = d · q + m.
const decodeQ5_1: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 32; b++) {
    const o = b * 24;
    const d = f16ToF32(v.getUint16(o, true));
    const m = f16ToF32(v.getUint16(o + 2, true));
    const qh = v.getUint32(o + 4, true);
    for (let j = 0; j < 16; j++) {
      const q = src[o + 8 + j];
      const h0 = ((qh >>> j) << 4) & 0x10;
      const h1 = (qh >>> (j + 12)) & 0x10;
      dst[b * 32 + j] = d * ((q & 0xf) | h0) + m;
      dst[b * 32 + j + 16] = d * ((q >> 4) | h1) + m;
    }
  }
};

// Q8_0: 34 bytes per 32: f16 d | 32 × int8 q; value = d · q.
const decodeQ8_0: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 32; b++) {
    const o = b * 34;
    const d = f16ToF32(v.getUint16(o, true));
    for (let j = 0; j < 32; j++) dst[b * 32 + j] = d * v.getInt8(o + 2 + j);
  }
};

/** The 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K / Q5_K. */
function scaleMinK4(j: number, s: Uint8Array, o: number): [number, number] {
  if (j < 4) return [s[o + j] & 63, s[o + j + 4] & 63];
  return [
    (s[o + j + 4] & 0xf) | ((s[o + j - 4] >> 6) << 4),
    (s[o + j + 4] >> 4) | ((s[o + j] >> 6) << 4),
  ];
}

// Q4_K: 144 bytes per 256: f16 d | f16 dmin | 12 bytes scales (8 × 6-bit scale, 8 × 6-bit min) |
// 128 bytes qs. Four chunks of 64: low nibbles of 32 bytes use sub-block 2c, high nibbles 2c + 1;
// value = d · sc · q − dmin · m.
const decodeQ4_K: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 256; b++) {
    const o = b * 144;
    const d = f16ToF32(v.getUint16(o, true));
    const dmin = f16ToF32(v.getUint16(o + 2, true));
    let q = o + 16;
    let y = b * 256;
    for (let c = 0; c < 4; c++) {
      const [sc1, m1] = scaleMinK4(2 * c, src, o + 4);
      const [sc2, m2] = scaleMinK4(2 * c + 1, src, o + 4);
      for (let l = 0; l < 32; l++) dst[y + l] = d * sc1 * (src[q + l] & 0xf) - dmin * m1;
      for (let l = 0; l < 32; l++) dst[y + 32 + l] = d * sc2 * (src[q + l] >> 4) - dmin * m2;
      q += 32;
      y += 64;
    }
  }
};

// Q5_K: 176 bytes per 256: f16 d | f16 dmin | 12 bytes scales | 32 bytes qh | 128 bytes qs.
// As Q4_K, plus a 5th bit from qh[l]: bit 2c for the low-nibble half of chunk c, bit 2c + 1 for
// the high; value = d · sc · q − dmin · m.
const decodeQ5_K: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 256; b++) {
    const o = b * 176;
    const d = f16ToF32(v.getUint16(o, true));
    const dmin = f16ToF32(v.getUint16(o + 2, true));
    const qh = o + 16;
    let ql = o + 48;
    let y = b * 256;
    for (let c = 0; c < 4; c++) {
      const [sc1, m1] = scaleMinK4(2 * c, src, o + 4);
      const [sc2, m2] = scaleMinK4(2 * c + 1, src, o + 4);
      const u1 = 1 << (2 * c);
      const u2 = 2 << (2 * c);
      for (let l = 0; l < 32; l++) {
        dst[y + l] = d * sc1 * ((src[ql + l] & 0xf) + (src[qh + l] & u1 ? 16 : 0)) - dmin * m1;
      }
      for (let l = 0; l < 32; l++) {
        dst[y + 32 + l] = d * sc2 * ((src[ql + l] >> 4) + (src[qh + l] & u2 ? 16 : 0)) - dmin * m2;
      }
      ql += 32;
      y += 64;
    }
  }
};

// Q6_K: 210 bytes per 256: 128 bytes ql (low 4 bits) | 64 bytes qh (high 2 bits) | 16 × int8
// scales | f16 d (last). Two halves of 128; in each, for l < 32, four values at l, l+32, l+64,
// l+96 with scales sc[l/16 + 0, 2, 4, 6]; value = d · sc · (q − 32).
const decodeQ6_K: Decoder = (src, dst, n) => {
  const v = view(src);
  for (let b = 0; b < n / 256; b++) {
    const o = b * 210;
    const d = f16ToF32(v.getUint16(o + 208, true));
    for (let half = 0; half < 2; half++) {
      const ql = o + half * 64;
      const qh = o + 128 + half * 32;
      const sc = o + 192 + half * 8;
      const y = b * 256 + half * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = src[qh + l];
        const q1 = ((src[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
        const q2 = ((src[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
        dst[y + l] = d * v.getInt8(sc + is) * q1;
        dst[y + l + 32] = d * v.getInt8(sc + is + 2) * q2;
        dst[y + l + 64] = d * v.getInt8(sc + is + 4) * q3;
        dst[y + l + 96] = d * v.getInt8(sc + is + 6) * q4;
      }
    }
  }
};

const DECODERS: Partial<Record<GgmlType, Decoder>> = {
  [GgmlType.F32]: decodeF32,
  [GgmlType.F16]: decodeF16,
  [GgmlType.BF16]: decodeBF16,
  [GgmlType.Q4_0]: decodeQ4_0,
  [GgmlType.Q4_1]: decodeQ4_1,
  [GgmlType.Q5_0]: decodeQ5_0,
  [GgmlType.Q5_1]: decodeQ5_1,
  [GgmlType.Q8_0]: decodeQ8_0,
  [GgmlType.Q4_K]: decodeQ4_K,
  [GgmlType.Q5_K]: decodeQ5_K,
  [GgmlType.Q6_K]: decodeQ6_K,
};

/** Decodes `n` elements of type `t` from `src` (exactly their bytes) to f32. */
export function dequantize(t: GgmlType, src: Uint8Array, n: number): Float32Array {
  const dec = DECODERS[t];
  const block = BLOCK[t];
  if (!dec || !block) throw new Error(`no decoder for ${typeName(t)}`);
  if (n % block.elements !== 0) {
    throw new Error(
      `${typeName(t)}: ${n} elements is not a multiple of the block (${block.elements})`,
    );
  }
  const need = (n / block.elements) * block.bytes;
  if (src.byteLength !== need) {
    throw new Error(`${typeName(t)}: ${n} elements take ${need} bytes, got ${src.byteLength}`);
  }
  const dst = new Float32Array(n);
  dec(src, dst, n);
  return dst;
}
