// embedding — forward x[t, c] = E[tokens[t], c]; E (V, C) quantized (shaders/quant.wgsl).
// No backward: the embedding is not scored and nothing upstream needs its gradient.
// Work split: one invocation per (t, c), 64-wide workgroups over c, y over t.
// Outputs: `x` overwritten.

struct Dims { T: u32, C: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> x: array<f32>;   // (T, C)
@group(0) @binding(1) var<storage, read> tokens: array<u32>;    // (T)
@group(0) @binding(2) var<storage, read> wbytes: array<u32>;    // E (V, C)
@group(0) @binding(3) var<uniform> dims: Dims;

@compute @workgroup_size(64)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let t = gid.y;
  if (c >= dims.C || t >= dims.T) { return; }
  x[t * dims.C + c] = w_elem(tokens[t] * dims.C + c);
}
