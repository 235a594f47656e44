// matmul — forward Y = X Wᵀ; backward dX = dY W and dW = dYᵀ X. Row-major f32.
// Test-only: the engine never dispatches it (its linears are linear*.wgsl); kept as the plain f32
// GEMM with dW that tests/gpu/matmul.test.ts holds to its twin (gradients: op-gradcheck.test.ts).
// Shapes (letters as in src/model/shapes.ts): X (T, I), W (O, I), Y and dY (T, O), dX (T, I), dW (O, I).
// Work split: one invocation per output element; 16×16 workgroups tile the output as (x: column, y: row).
//   Each invocation runs one dot product in a fixed order (the reference loops in the same order).
// Outputs: `out` is overwritten by every entry point, never accumulated.

struct Dims {
  T: u32, // rows of X, Y, dY, dX
  I: u32, // input features (columns of X and W)
  O: u32, // output features (rows of W, columns of Y)
  _pad: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // forward: Y (T, O); backward_input: dX (T, I); backward_weight: dW (O, I)
@group(0) @binding(1) var<storage, read> a: array<f32>;         // forward: X (T, I); backward_*: dY (T, O)
@group(0) @binding(2) var<storage, read> b: array<f32>;         // forward, backward_input: W (O, I); backward_weight: X (T, I)
@group(0) @binding(3) var<uniform> dims: Dims;

// Y[t, o] = Σ_i X[t, i] · W[o, i]
@compute @workgroup_size(16, 16)
fn matmul_forward(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  let t = gid.y;
  if (o >= dims.O || t >= dims.T) { return; }
  var acc = 0.0;
  for (var i = 0u; i < dims.I; i++) {
    acc += a[t * dims.I + i] * b[o * dims.I + i];
  }
  out[t * dims.O + o] = acc;
}

// dX[t, i] = Σ_o dY[t, o] · W[o, i]
@compute @workgroup_size(16, 16)
fn matmul_backward_input(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let t = gid.y;
  if (i >= dims.I || t >= dims.T) { return; }
  var acc = 0.0;
  for (var o = 0u; o < dims.O; o++) {
    acc += a[t * dims.O + o] * b[o * dims.I + i];
  }
  out[t * dims.I + i] = acc;
}

// dW[o, i] = Σ_t dY[t, o] · X[t, i]
@compute @workgroup_size(16, 16)
fn matmul_backward_weight(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let o = gid.y;
  if (i >= dims.I || o >= dims.O) { return; }
  var acc = 0.0;
  for (var t = 0u; t < dims.T; t++) {
    acc += a[t * dims.O + o] * b[t * dims.I + i];
  }
  out[o * dims.I + i] = acc;
}
