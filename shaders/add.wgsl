// add — forward out = a + b (the residual stream); accumulate out += a (gradients that meet);
// bias out (T, O) += a (O) on every row (Qwen2's q, k, v biases).
// Shapes: (N) flattened. Work split: one invocation per element, 2-D grid of 64-wide groups.
// Outputs: add_forward overwrites out; add_accumulate and add_bias ACCUMULATE into out.

struct Dims { n: u32, groups_x: u32, width: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>; // add_forward only
@group(0) @binding(3) var<uniform> dims: Dims;

@compute @workgroup_size(64)
fn add_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  out[e] = a[e] + b[e];
}

@compute @workgroup_size(64)
fn add_accumulate(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  out[e] += a[e];
}

@compute @workgroup_size(64)
fn add_bias(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  out[e] += a[e % dims.width];
}
