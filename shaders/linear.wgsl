// linear — forward Y = X Wᵀ; backward dX = dY W, with W quantized (shaders/quant.wgsl, QTYPE).
// Shapes: X (T, I), W (O, I) as GGUF bytes, Y and dY (T, O), dX (T, I).
// Work split: one invocation per output element, 16×16 workgroups over (x: column, y: row);
//   each runs its dot product in index order (as src/reference/linear.ts).
// Outputs: `out` overwritten.

struct Dims { T: u32, I: u32, O: u32, _pad: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // forward: Y (T, O); backward_input: dX (T, I)
@group(0) @binding(1) var<storage, read> a: array<f32>;         // forward: X (T, I); backward_input: dY (T, O)
@group(0) @binding(2) var<storage, read> wbytes: array<u32>;    // W (O, I), GGUF bytes of type QTYPE
@group(0) @binding(3) var<uniform> dims: Dims;

// Y[t, o] = Σ_i X[t, i] · W[o, i]
@compute @workgroup_size(16, 16)
fn linear_forward(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  let t = gid.y;
  if (o >= dims.O || t >= dims.T) { return; }
  var acc = 0.0;
  for (var i = 0u; i < dims.I; i++) {
    acc += a[t * dims.I + i] * w_elem(o * dims.I + i);
  }
  out[t * dims.O + o] = acc;
}

// dX[t, i] = Σ_o dY[t, o] · W[o, i]
@compute @workgroup_size(16, 16)
fn linear_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let t = gid.y;
  if (i >= dims.I || t >= dims.T) { return; }
  var acc = 0.0;
  for (var o = 0u; o < dims.O; o++) {
    acc += a[t * dims.O + o] * w_elem(o * dims.I + i);
  }
  out[t * dims.I + i] = acc;
}
