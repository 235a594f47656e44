// rmsnorm — forward y = x · r · w, r = 1/sqrt(mean(x²) + ε) per row, saving r;
// backward dx += r·dy·w − x · r³/C · Σ(dy·w·x).
// Shapes: x, y, dy, dx (T, C); w (C); rstd (T).
// Work split: one 256-wide workgroup per row (a 7B layer has only T rows: 64-wide ones left the
// GPU mostly idle); the row sum is a fixed-order tree in workgroup memory.
// Outputs: forward overwrites y and rstd; backward ACCUMULATES into dx.

struct Dims { T: u32, C: u32, eps: f32, _pad: u32 }

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // forward: y (T, C); backward: dx (T, C)
@group(0) @binding(1) var<storage, read_write> rstd: array<f32>; // (T): forward writes, backward reads
@group(0) @binding(2) var<storage, read> x: array<f32>;          // (T, C)
@group(0) @binding(3) var<storage, read> w: array<f32>;          // (C)
@group(0) @binding(4) var<storage, read> dy: array<f32>;         // backward: (T, C); forward: unused
@group(0) @binding(5) var<uniform> dims: Dims;

const RW: u32 = 256u; // invocations per row
var<workgroup> part: array<f32, RW>;

fn row_sum(li: u32, v: f32) -> f32 {
  part[li] = v;
  workgroupBarrier();
  for (var s = RW / 2u; s > 0u; s >>= 1u) {
    if (li < s) { part[li] += part[li + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(RW)
fn rmsnorm_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = wg.x;
  let C = dims.C;
  var ss = 0.0;
  for (var c = li; c < C; c += RW) { ss += x[t * C + c] * x[t * C + c]; }
  let r = 1.0 / sqrt(row_sum(li, ss) / f32(C) + dims.eps);
  if (li == 0u) { rstd[t] = r; }
  for (var c = li; c < C; c += RW) { out[t * C + c] = x[t * C + c] * r * w[c]; }
}

@compute @workgroup_size(RW)
fn rmsnorm_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = wg.x;
  let C = dims.C;
  let r = rstd[t];
  var s = 0.0;
  for (var c = li; c < C; c += RW) { s += dy[t * C + c] * w[c] * x[t * C + c]; }
  let k = r * r * r * row_sum(li, s) / f32(C);
  for (var c = li; c < C; c += RW) {
    out[t * C + c] += r * dy[t * C + c] * w[c] - x[t * C + c] * k;
  }
}
