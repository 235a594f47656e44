// colnorm — n[i] = ‖X[:, i]‖₂ = sqrt(Σ_t X[t, i]²), the input norms of Wanda's metric.
// Shapes: X (T, I), n (I). Work split: one invocation per column. Outputs: n overwritten.

struct Dims { T: u32, I: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> n: array<f32>; // (I)
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (T, I)
@group(0) @binding(2) var<uniform> dims: Dims;

@compute @workgroup_size(64)
fn colnorm_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= dims.I) { return; }
  var s = 0.0;
  for (var t = 0u; t < dims.T; t++) { s += x[t * dims.I + i] * x[t * dims.I + i]; }
  n[i] = sqrt(s);
}
