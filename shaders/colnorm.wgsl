// colnorm — n[i] = ‖X[:, i]‖₂ = sqrt(Σ_t X[t, i]²), the input norms of Wanda's metric.
// colsumsq_add — s[i] += Σ_t X[t, i]²: the pruning lab's Wanda norms over many samples (the root
//   is taken once, after the last sample).
// Shapes: X (T, I), n and s (I). Work split: one invocation per column.
// Outputs: n overwritten; s ACCUMULATED.

struct Dims { T: u32, I: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> n: array<f32>; // (I)
@group(0) @binding(1) var<storage, read> x: array<f32>;       // (T, I)
@group(0) @binding(2) var<uniform> dims: Dims;

fn sumsq(i: u32) -> f32 {
  var s = 0.0;
  for (var t = 0u; t < dims.T; t++) { s += x[t * dims.I + i] * x[t * dims.I + i]; }
  return s;
}

@compute @workgroup_size(64)
fn colnorm_forward(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= dims.I) { return; }
  n[i] = sqrt(sumsq(i));
}

@compute @workgroup_size(64)
fn colsumsq_add(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= dims.I) { return; }
  n[i] += sumsq(i);
}
