// f16_round — f32 values as IEEE half bits, rounded to nearest even by integer arithmetic (WGSL's
// own f32 → f16 conversion may round either way between the two nearest halves), two per u32
// (element 2k in the low half), and how many values lie beyond F16's range (|x| > 65504, or not
// finite). Pruning re-encodes a matrix of a type without an exact 0 with it (src/prune/gpu.ts).
// Twin: src/reference/f16_round.ts (src/gguf/half.ts f32ToF16 per value).
// Work split: one invocation per pair, 1-D over 256-wide workgroups, 2-D grid for large n.

struct Dims { n: u32, groups_x: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<u32>;           // (⌈n / 2⌉) half pairs
@group(0) @binding(1) var<storage, read> x: array<u32>;                   // (n) f32 bits
@group(0) @binding(2) var<storage, read_write> beyond: array<atomic<u32>>; // [0]: count
@group(0) @binding(3) var<uniform> dims: Dims;

fn half_bits(b: u32) -> u32 {
  let sign = (b >> 16u) & 0x8000u;
  let exp = (b >> 23u) & 0xffu;
  var mant = b & 0x7fffffu;
  if (exp == 0xffu) { return sign | 0x7c00u | select(0u, 0x200u, mant != 0u); }
  let e = i32(exp) - 127 + 15;
  if (e >= 31) { return sign | 0x7c00u; }
  if (e <= 0) {
    if (e < -10) { return sign; }
    mant = mant | 0x800000u;
    let shift = u32(14 - e);
    var h = mant >> shift;
    let rem = mant & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (h & 1u) == 1u)) { h = h + 1u; }
    return sign | h;
  }
  var h = (u32(e) << 10u) | (mant >> 13u);
  let rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) == 1u)) { h = h + 1u; }
  return sign | h;
}

// beyond F16's largest finite value 65504 (0x477fe000), or not finite
fn beyond_half(b: u32) -> bool { return (b & 0x7fffffffu) > 0x477fe000u; }

@compute @workgroup_size(256)
fn f16_round(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let k = (wg.y * dims.groups_x + wg.x) * 256u + li;
  let e = 2u * k;
  if (e >= dims.n) { return; }
  let lo = x[e];
  var hi = 0u;
  if (e + 1u < dims.n) { hi = x[e + 1u]; }
  out[k] = half_bits(lo) | (half_bits(hi) << 16u);
  var over = 0u;
  if (beyond_half(lo)) { over++; }
  if (e + 1u < dims.n && beyond_half(hi)) { over++; }
  if (over > 0u) { atomicAdd(&beyond[0], over); }
}
