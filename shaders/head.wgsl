// head — the objective D = max last-position logit. head_argmax: index and value of the largest
// logit (lowest index on ties; the first NaN if any, as PyTorch's max); head_backward: dxf = W[argmax] (the one row of the head whose
// logit is D), W (V, C) quantized (shaders/quant.wgsl). The forward logits are linear_forward
// with T = 1.
// Work split: argmax is one 256-wide workgroup (strided scan, then a fixed-order tree);
//   backward one invocation per c.
// Outputs: overwritten.

struct Dims { V: u32, C: u32, _a: u32, _b: u32 }

@group(0) @binding(0) var<storage, read_write> best: array<u32>; // argmax: [index, bits of value]
@group(0) @binding(1) var<storage, read_write> dxf: array<f32>;  // backward: (C)
@group(0) @binding(2) var<storage, read> logits: array<f32>;     // (V)
@group(0) @binding(3) var<storage, read> wbytes: array<u32>;     // W (V, C)
@group(0) @binding(4) var<storage, read> chosen: array<u32>;     // backward: argmax result
@group(0) @binding(5) var<uniform> dims: Dims;

var<workgroup> wv: array<f32, 256>;
var<workgroup> wi: array<u32, 256>;

// NaN by its bits (a compiler may fold x != x away): NaN counts as the largest value, as in
// PyTorch's max, so a NaN logit becomes the objective and the run reports it.
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

// Whether (v, i) goes before (bv, bi): NaN first, then larger, then the lower index.
fn before(v: f32, i: u32, bv: f32, bi: u32) -> bool {
  if (is_nan(v)) { return !is_nan(bv) || i < bi; }
  if (is_nan(bv)) { return false; }
  return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(256)
fn head_argmax(@builtin(local_invocation_index) li: u32) {
  var bv = -3.4e38;
  var bi = 0xffffffffu;
  for (var i = li; i < dims.V; i += 256u) {
    if (before(logits[i], i, bv, bi)) { bv = logits[i]; bi = i; }
  }
  wv[li] = bv;
  wi[li] = bi;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) {
      let ov = wv[li + s];
      let oi = wi[li + s];
      if (before(ov, oi, wv[li], wi[li])) { wv[li] = ov; wi[li] = oi; }
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    best[0] = wi[0];
    best[1] = bitcast<u32>(wv[0]);
  }
}

@compute @workgroup_size(64)
fn head_backward(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= dims.C) { return; }
  dxf[c] = w_elem(chosen[0] * dims.C + c);
}
