// rope — rotate adjacent pairs (2i, 2i+1) of each head by angle t · base^(−2i/ropeDims) (forward)
// or by its negative (backward: the gradient of a rotation is the inverse rotation).
// The cos/sin table (T, ropeDims/2, 2) comes from src/reference/rope.ts (f64 on the CPU): WGSL's
// sin and cos are only promised to 2^-11 absolute error.
// Shape: x (T, heads · headDim), in place. Dimensions past ropeDims pass through. With stride > 0,
// x is a stack of sequences stride rows apart, each from position 0 (row t at position t % stride:
// a batch's samples in one dispatch; the table then holds stride positions).
// Work split: one invocation per (t, head, pair).
// Outputs: x overwritten in place.

struct Dims { T: u32, heads: u32, headDim: u32, ropeDims: u32, stride: u32, _a: u32, _b: u32, _c: u32 }

@group(0) @binding(0) var<storage, read_write> x: array<f32>;  // (T, heads · headDim)
@group(0) @binding(1) var<storage, read> table: array<f32>;    // (T, ropeDims / 2, 2): cos, sin
@group(0) @binding(2) var<uniform> dims: Dims;

fn rotate(gid: vec3u, sign: f32) {
  let pairs = dims.ropeDims / 2u;
  let i = gid.x % pairs;
  let h = gid.x / pairs;
  let t = gid.y;
  if (h >= dims.heads || t >= dims.T) { return; }
  let p = select(t, t % dims.stride, dims.stride > 0u);
  let c = table[(p * pairs + i) * 2u];
  let s = sign * table[(p * pairs + i) * 2u + 1u];
  let o = (t * dims.heads + h) * dims.headDim + 2u * i;
  let a = x[o];
  let b = x[o + 1u];
  x[o] = a * c - b * s;
  x[o + 1u] = a * s + b * c;
}

@compute @workgroup_size(64)
fn rope_forward(@builtin(global_invocation_id) gid: vec3u) { rotate(gid, 1.0); }

@compute @workgroup_size(64)
fn rope_backward(@builtin(global_invocation_id) gid: vec3u) { rotate(gid, -1.0); }
