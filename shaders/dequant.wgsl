// dequant — out[e] = w_elem(e): a quantized tensor decoded to f32 (checks shaders/quant.wgsl).
// Work split: one invocation per element, 1-D over 64-wide workgroups, 2-D grid for large n.
// Outputs: `out` overwritten.

struct Dims { n: u32, groups_x: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (n)
@group(0) @binding(1) var<storage, read> wbytes: array<u32>;    // raw GGUF bytes
@group(0) @binding(2) var<uniform> dims: Dims;

@compute @workgroup_size(64)
fn dequant_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let e = (wg.y * dims.groups_x + wg.x) * 64u + li;
  if (e >= dims.n) { return; }
  out[e] = w_elem(e);
}
