// swiglu — forward h = silu(g) ⊙ u; backward dg = dh·u·σ(g)(1 + g(1 − σ(g))), du = dh·silu(g).
// Shapes: g, u, h, dh, dg, du (N) = (T, F) flattened.
// Work split: one invocation per element, 2-D grid of 64-wide workgroups.
// Outputs: forward overwrites h; backward overwrites dg and du.

struct Dims { n: u32, groups_x: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> out0: array<f32>; // forward: h; backward: dg
@group(0) @binding(1) var<storage, read_write> out1: array<f32>; // backward: du; forward: unused
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> u: array<f32>;
@group(0) @binding(4) var<storage, read> dh: array<f32>;         // backward only
@group(0) @binding(5) var<uniform> dims: Dims;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }

@compute @workgroup_size(64)
fn swiglu_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  out0[e] = g[e] * sigmoid(g[e]) * u[e];
}

@compute @workgroup_size(64)
fn swiglu_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  let s = sigmoid(g[e]);
  out1[e] = dh[e] * g[e] * s;
  out0[e] = dh[e] * u[e] * (s * (1.0 + g[e] * (1.0 - s)));
}
