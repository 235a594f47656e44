// Each block decoder on hand-built blocks with known values, and its block size.
import { describe, expect, it } from 'vitest';
import { dequantize } from '../../src/gguf/dequant';
import { f32ToF16, f16ToF32, bf16ToF32 } from '../../src/gguf/half';
import { BLOCK, GgmlType } from '../../src/gguf/types';

function block(bytes: number, fill: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = new Uint8Array(bytes);
  fill(new DataView(b.buffer), b);
  return b;
}
const H = (x: number) => f32ToF16(x);

describe('block sizes', () => {
  it('match ggml', () => {
    const want: [GgmlType, number, number][] = [
      [GgmlType.Q4_0, 32, 18],
      [GgmlType.Q4_1, 32, 20],
      [GgmlType.Q5_0, 32, 22],
      [GgmlType.Q5_1, 32, 24],
      [GgmlType.Q8_0, 32, 34],
      [GgmlType.Q4_K, 256, 144],
      [GgmlType.Q5_K, 256, 176],
      [GgmlType.Q6_K, 256, 210],
      [GgmlType.F16, 1, 2],
      [GgmlType.BF16, 1, 2],
      [GgmlType.F32, 1, 4],
    ];
    for (const [t, e, b] of want) expect(BLOCK[t]).toEqual({ elements: e, bytes: b });
  });
});

describe('half precision', () => {
  it('f16 encodes and decodes exactly representable values', () => {
    for (const x of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8, -0.333251953125]) {
      expect(f16ToF32(f32ToF16(x))).toBe(x);
    }
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(f16ToF32(0xfc00)).toBe(-Infinity);
    expect(f16ToF32(0x7e00)).toBeNaN();
    expect(f32ToF16(1e6)).toBe(0x7c00); // overflow to infinity
  });
  it('bf16 is the upper half of f32', () => {
    expect(bf16ToF32(0x3f80)).toBe(1);
    expect(bf16ToF32(0xc040)).toBe(-3);
  });
});

describe('decoders', () => {
  it('F32, F16, BF16', () => {
    const f32 = block(8, (v) => {
      v.setFloat32(0, 1.5, true);
      v.setFloat32(4, -2.25, true);
    });
    expect(Array.from(dequantize(GgmlType.F32, f32, 2))).toEqual([1.5, -2.25]);
    const f16 = block(4, (v) => {
      v.setUint16(0, H(0.75), true);
      v.setUint16(2, H(-8), true);
    });
    expect(Array.from(dequantize(GgmlType.F16, f16, 2))).toEqual([0.75, -8]);
    const bf = block(4, (v) => {
      v.setUint16(0, 0x4000, true);
      v.setUint16(2, 0xbf00, true);
    });
    expect(Array.from(dequantize(GgmlType.BF16, bf, 2))).toEqual([2, -0.5]);
  });

  it('Q4_0: low nibbles are elements 0–15, high nibbles 16–31, d·(q−8)', () => {
    const b = block(18, (v, u) => {
      v.setUint16(0, H(0.5), true);
      for (let j = 0; j < 16; j++) u[2 + j] = (j & 0xf) | ((15 - j) << 4);
    });
    const y = dequantize(GgmlType.Q4_0, b, 32);
    for (let j = 0; j < 16; j++) {
      expect(y[j]).toBe(0.5 * (j - 8));
      expect(y[j + 16]).toBe(0.5 * (15 - j - 8));
    }
  });

  it('Q4_1: d·q + m', () => {
    const b = block(20, (v, u) => {
      v.setUint16(0, H(0.25), true);
      v.setUint16(2, H(-1), true);
      for (let j = 0; j < 16; j++) u[4 + j] = 3 | (12 << 4);
    });
    const y = dequantize(GgmlType.Q4_1, b, 32);
    expect(y[0]).toBe(0.25 * 3 - 1);
    expect(y[20]).toBe(0.25 * 12 - 1);
  });

  it('Q5_0: the 5th bit of element j is bit j of qh; d·(q−16)', () => {
    const b = block(22, (v, u) => {
      v.setUint16(0, H(2), true);
      v.setUint32(2, (1 << 3) | (1 << 20), true); // element 3 and element 20 get bit 4
      for (let j = 0; j < 16; j++) u[6 + j] = 1 | (2 << 4);
    });
    const y = dequantize(GgmlType.Q5_0, b, 32);
    expect(y[0]).toBe(2 * (1 - 16));
    expect(y[3]).toBe(2 * (17 - 16));
    expect(y[16]).toBe(2 * (2 - 16));
    expect(y[20]).toBe(2 * (18 - 16));
  });

  it('Q5_1: d·q + m with the 5th bit', () => {
    const b = block(24, (v, u) => {
      v.setUint16(0, H(1), true);
      v.setUint16(2, H(0.5), true);
      v.setUint32(4, 1 << 31, true); // element 31
      for (let j = 0; j < 16; j++) u[8 + j] = 4 | (5 << 4);
    });
    const y = dequantize(GgmlType.Q5_1, b, 32);
    expect(y[0]).toBe(4.5);
    expect(y[30]).toBe(5.5);
    expect(y[31]).toBe(21.5);
  });

  it('Q8_0: d·int8', () => {
    const b = block(34, (v) => {
      v.setUint16(0, H(0.125), true);
      for (let j = 0; j < 32; j++) v.setInt8(2 + j, j - 16);
    });
    const y = dequantize(GgmlType.Q8_0, b, 32);
    for (let j = 0; j < 32; j++) expect(y[j]).toBe(0.125 * (j - 16));
  });

  it('Q4_K: 6-bit scales and mins, d·sc·q − dmin·m per sub-block of 32', () => {
    // sub-block scales 1..8, mins 0..7 (all < 64), packed as get_scale_min_k4 reads them
    const sc = [1, 2, 3, 4, 5, 6, 7, 8];
    const mn = [0, 1, 2, 3, 4, 5, 6, 7];
    const b = block(144, (v, u) => {
      v.setUint16(0, H(1), true);
      v.setUint16(2, H(0.5), true);
      for (let j = 0; j < 4; j++) {
        u[4 + j] = sc[j] | ((sc[j + 4] >> 4) << 6);
        u[4 + j + 4] = mn[j] | ((mn[j + 4] >> 4) << 6);
        u[4 + j + 8] = (sc[j + 4] & 0xf) | ((mn[j + 4] & 0xf) << 4);
      }
      for (let l = 0; l < 128; l++) u[16 + l] = 3 | (9 << 4);
    });
    const y = dequantize(GgmlType.Q4_K, b, 256);
    for (let s = 0; s < 8; s++) {
      const q = s % 2 === 0 ? 3 : 9;
      expect(y[s * 32]).toBe(sc[s] * q - 0.5 * mn[s]);
      expect(y[s * 32 + 31]).toBe(sc[s] * q - 0.5 * mn[s]);
    }
  });

  it('Q4_K: scales of 6 bits use the high bits of the first 8 bytes for sub-blocks 4–7', () => {
    const sc = [1, 1, 1, 1, 63, 40, 17, 33];
    const mn = [0, 0, 0, 0, 62, 5, 48, 1];
    const b = block(144, (v, u) => {
      v.setUint16(0, H(1), true);
      v.setUint16(2, H(1), true);
      for (let j = 0; j < 4; j++) {
        u[4 + j] = sc[j] | ((sc[j + 4] >> 4) << 6);
        u[4 + j + 4] = mn[j] | ((mn[j + 4] >> 4) << 6);
        u[4 + j + 8] = (sc[j + 4] & 0xf) | ((mn[j + 4] & 0xf) << 4);
      }
      for (let l = 0; l < 128; l++) u[16 + l] = 1 | (1 << 4);
    });
    const y = dequantize(GgmlType.Q4_K, b, 256);
    for (let s = 4; s < 8; s++) expect(y[s * 32]).toBe(sc[s] - mn[s]);
  });

  it('Q5_K: the 5th bit of chunk c comes from qh bits 2c and 2c+1', () => {
    const b = block(176, (v, u) => {
      v.setUint16(0, H(1), true);
      v.setUint16(2, H(0), true);
      for (let j = 0; j < 4; j++) u[4 + j] = 1; // scale 1 for sub-blocks 0–3
      for (let j = 0; j < 4; j++) u[4 + j + 8] = 1; // scale 1 for sub-blocks 4–7
      u[16 + 0] = 0b00000101; // element 0 (bit 0) and element 64 (bit 2) get +16
      for (let l = 0; l < 128; l++) u[48 + l] = 2 | (7 << 4);
    });
    const y = dequantize(GgmlType.Q5_K, b, 256);
    expect(y[0]).toBe(18);
    expect(y[1]).toBe(2);
    expect(y[32]).toBe(7);
    expect(y[64]).toBe(18);
    expect(y[96]).toBe(7);
  });

  it('Q6_K: d·sc·(q−32) with 4+2 bits, f16 d last', () => {
    const b = block(210, (v, u) => {
      for (let l = 0; l < 128; l++) u[l] = 5 | (6 << 4);
      for (let l = 0; l < 64; l++) u[128 + l] = 0b10_01_11_00; // q1 +0, q2 +48, q3 +16, q4 +32
      for (let s = 0; s < 16; s++) v.setInt8(192 + s, s - 8);
      v.setUint16(208, H(0.5), true);
    });
    const y = dequantize(GgmlType.Q6_K, b, 256);
    // first half, l = 0: scales sc[0], sc[2], sc[4], sc[6] = -8, -6, -4, -2
    expect(y[0]).toBe(0.5 * -8 * (5 + 0 - 32));
    expect(y[32]).toBe(0.5 * -6 * (5 + 48 - 32));
    expect(y[64]).toBe(0.5 * -4 * (6 + 16 - 32));
    expect(y[96]).toBe(0.5 * -2 * (6 + 32 - 32));
    // l = 16 uses sc[1]; second half uses sc[8..]
    expect(y[16]).toBe(0.5 * -7 * (5 - 32));
    expect(y[128]).toBe(0.5 * 0 * (5 - 32));
    expect(y[128 + 16]).toBe(0.5 * 1 * (5 - 32));
  });

  it('rejects a byte count that does not match the element count', () => {
    expect(() => dequantize(GgmlType.Q8_0, new Uint8Array(33), 32)).toThrow(/34 bytes/);
    expect(() => dequantize(GgmlType.Q4_0, new Uint8Array(18), 31)).toThrow(
      /multiple of the block/,
    );
  });
});
