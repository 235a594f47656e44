// quant — element e of a quantized weight tensor, dequantized in registers (prepended to the
// shaders that read weights). Layouts as src/gguf/dequant.ts, line for line. The tensor's raw
// GGUF bytes are bound as `wbytes` (array<u32>, little-endian); `e` is the flat element index
// (row-major: rows of I contiguous elements; blocks never cross rows).
// QTYPE: ggml type number (0 F32, 1 F16, 2 Q4_0, 3 Q4_1, 6 Q5_0, 7 Q5_1, 8 Q8_0, 12 Q4_K,
// 13 Q5_K, 14 Q6_K, 30 BF16).

override QTYPE: u32 = 0u;

fn byte_at(off: u32) -> u32 {
  return (wbytes[off >> 2u] >> ((off & 3u) * 8u)) & 0xffu;
}

fn u16_at(off: u32) -> u32 {
  return byte_at(off) | (byte_at(off + 1u) << 8u);
}

// The f16 at byte offset `off`, which is even: every f16 field of a GGUF block sits at an even
// offset of a block of even size, so it is one half of one word (one load, not two bytes).
fn f16_at(off: u32) -> f32 {
  return unpack2x16float(wbytes[off >> 2u] >> ((off & 2u) * 8u)).x;
}

fn i8_at(off: u32) -> f32 {
  return f32(i32(byte_at(off) << 24u) >> 24u);
}

fn u32_at(off: u32) -> u32 {
  return u16_at(off) | (u16_at(off + 2u) << 16u);
}

// 6-bit scale (which = 0) or min (which = 1) of sub-block j of a Q4_K / Q5_K block whose 12
// scale bytes start at `o`.
fn scale_min_k4(j: u32, o: u32, which: u32) -> f32 {
  if (j < 4u) {
    return f32(byte_at(o + j + which * 4u) & 63u);
  }
  if (which == 0u) {
    return f32((byte_at(o + j + 4u) & 0xfu) | ((byte_at(o + j - 4u) >> 6u) << 4u));
  }
  return f32((byte_at(o + j + 4u) >> 4u) | ((byte_at(o + j) >> 6u) << 4u));
}

fn w_elem(e: u32) -> f32 {
  switch (QTYPE) {
    case 0u: { // F32
      return bitcast<f32>(wbytes[e]);
    }
    case 1u: { // F16
      let p = unpack2x16float(wbytes[e >> 1u]);
      return select(p.y, p.x, (e & 1u) == 0u);
    }
    case 30u: { // BF16
      let w = wbytes[e >> 1u];
      return bitcast<f32>(select(w & 0xffff0000u, w << 16u, (e & 1u) == 0u));
    }
    case 2u: { // Q4_0: 18 bytes per 32: f16 d | 16 bytes; low nibbles 0–15, high 16–31; d·(q−8)
      let o = (e >> 5u) * 18u;
      let j = e & 31u;
      let q = (byte_at(o + 2u + (j & 15u)) >> ((j >> 4u) * 4u)) & 0xfu;
      return f16_at(o) * (f32(q) - 8.0);
    }
    case 3u: { // Q4_1: 20 bytes per 32: f16 d | f16 m | 16 bytes; d·q + m
      let o = (e >> 5u) * 20u;
      let j = e & 31u;
      let q = (byte_at(o + 4u + (j & 15u)) >> ((j >> 4u) * 4u)) & 0xfu;
      return f16_at(o) * f32(q) + f16_at(o + 2u);
    }
    case 6u: { // Q5_0: 22 bytes per 32: f16 d | u32 qh | 16 bytes; 5th bit of element j is bit j
      let o = (e >> 5u) * 22u;
      let j = e & 31u;
      let lo = (byte_at(o + 6u + (j & 15u)) >> ((j >> 4u) * 4u)) & 0xfu;
      let hi = ((u32_at(o + 2u) >> j) & 1u) << 4u;
      return f16_at(o) * (f32(lo | hi) - 16.0);
    }
    case 7u: { // Q5_1: 24 bytes per 32: f16 d | f16 m | u32 qh | 16 bytes; d·q + m
      let o = (e >> 5u) * 24u;
      let j = e & 31u;
      let lo = (byte_at(o + 8u + (j & 15u)) >> ((j >> 4u) * 4u)) & 0xfu;
      let hi = ((u32_at(o + 4u) >> j) & 1u) << 4u;
      return f16_at(o) * f32(lo | hi) + f16_at(o + 2u);
    }
    case 8u: { // Q8_0: 34 bytes per 32: f16 d | 32 int8; d·q
      let o = (e >> 5u) * 34u;
      return f16_at(o) * i8_at(o + 2u + (e & 31u));
    }
    case 12u: { // Q4_K: 144 bytes per 256: d | dmin | 12 scale bytes | 128 qs
      let o = (e >> 8u) * 144u;
      let k = e & 255u;
      let c = k >> 6u;           // chunk of 64
      let half = (k >> 5u) & 1u; // low or high nibbles
      let l = k & 31u;
      let sb = 2u * c + half;
      let q = (byte_at(o + 16u + c * 32u + l) >> (half * 4u)) & 0xfu;
      return f16_at(o) * scale_min_k4(sb, o + 4u, 0u) * f32(q) - f16_at(o + 2u) * scale_min_k4(sb, o + 4u, 1u);
    }
    case 13u: { // Q5_K: 176 bytes per 256: d | dmin | 12 scale bytes | 32 qh | 128 qs
      let o = (e >> 8u) * 176u;
      let k = e & 255u;
      let c = k >> 6u;
      let half = (k >> 5u) & 1u;
      let l = k & 31u;
      let sb = 2u * c + half;
      let lo = (byte_at(o + 48u + c * 32u + l) >> (half * 4u)) & 0xfu;
      let hi = select(0u, 16u, (byte_at(o + 16u + l) & (1u << sb)) != 0u);
      return f16_at(o) * scale_min_k4(sb, o + 4u, 0u) * f32(lo + hi) - f16_at(o + 2u) * scale_min_k4(sb, o + 4u, 1u);
    }
    case 14u: { // Q6_K: 210 bytes per 256: ql 128 | qh 64 | int8 scales 16 | f16 d
      let o = (e >> 8u) * 210u;
      let k = e & 255u;
      let half = k >> 7u;
      let r = k & 127u;
      let quarter = r >> 5u; // 0..3: q1..q4
      let l = r & 31u;
      let ql = byte_at(o + half * 64u + l + (quarter & 1u) * 32u);
      let lo = (ql >> ((quarter >> 1u) * 4u)) & 0xfu;
      let hi = (byte_at(o + 128u + half * 32u + l) >> (quarter * 2u)) & 3u;
      let sc = i8_at(o + 192u + half * 8u + (l >> 4u) + quarter * 2u);
      return f16_at(o + 208u) * sc * (f32(lo | (hi << 4u)) - 32.0);
    }
    default: {
      return 0.0;
    }
  }
}

// 8 bytes from byte offset `off` (any alignment), little-endian, as two u32.
fn bytes8_at(off: u32) -> vec2u {
  let w = off >> 2u;
  let sh = (off & 3u) * 8u;
  let a = wbytes[w];
  let b = wbytes[w + 1u];
  if (sh == 0u) { return vec2u(a, b); }
  let c = wbytes[w + 2u];
  return vec2u((a >> sh) | (b << (32u - sh)), (b >> sh) | (c << (32u - sh)));
}

// Elements e … e + 7 of one row (e a multiple of 8, all in one row), equal to w_elem's: whole
// words of the block are read once instead of bytes per element (Q4_0, Q8_0, F16, F32; the
// other types element by element).
fn w_row8(e: u32) -> array<f32, 8> {
  var v: array<f32, 8>;
  switch (QTYPE) {
    case 0u: {
      for (var c = 0u; c < 8u; c++) { v[c] = bitcast<f32>(wbytes[e + c]); }
    }
    case 1u: {
      for (var c = 0u; c < 4u; c++) {
        let p = unpack2x16float(wbytes[(e >> 1u) + c]);
        v[2u * c] = p.x;
        v[2u * c + 1u] = p.y;
      }
    }
    case 2u: { // Q4_0: bytes j & 15 … + 7 of the nibbles (j = e % 32), low nibbles for j < 16
      let o = (e >> 5u) * 18u;
      let d = f16_at(o);
      let q = bytes8_at(o + 2u + (e & 15u));
      let sh = ((e & 31u) >> 4u) * 4u;
      for (var c = 0u; c < 8u; c++) {
        let b = q[c >> 2u] >> ((c & 3u) * 8u);
        v[c] = d * (f32((b >> sh) & 0xfu) - 8.0);
      }
    }
    case 8u: { // Q8_0
      let o = (e >> 5u) * 34u;
      let d = f16_at(o);
      let q = bytes8_at(o + 2u + (e & 31u));
      for (var c = 0u; c < 8u; c++) {
        let b = (q[c >> 2u] >> ((c & 3u) * 8u)) & 0xffu;
        v[c] = d * f32(i32(b << 24u) >> 24u);
      }
    }
    default: {
      for (var c = 0u; c < 8u; c++) { v[c] = w_elem(e + c); }
    }
  }
  return v;
}

// 8 consecutive elements along a row of W (O, I) as a GEMM operand B (K, N): forward B = Wᵀ,
// elements B[k … k + 7, n] = W[n, k … k + 7]; backward B = W, elements B[k, n … n + 7]; zero
// outside K × N. Decoded together (w_row8) where the row length I allows.
fn w_b8(k: u32, n: u32, K: u32, N: u32, I: u32, backward: bool) -> array<f32, 8> {
  let e = select(n * I + k, k * I + n, backward);
  let full = select(n < N && k + 8u <= K, k < K && n + 8u <= N, backward);
  if (full && I % 8u == 0u) { return w_row8(e); }
  var v: array<f32, 8>;
  for (var c = 0u; c < 8u; c++) {
    let kc = select(k + c, k, backward);
    let nc = select(n, n + c, backward);
    if (kc < K && nc < N) { v[c] = w_elem(e + c); }
  }
  return v;
}
