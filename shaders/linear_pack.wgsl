// linear_pack — the operands of the direct matrix linears (shaders/linear_mmd.wgsl) as f16 in
// storage, zero-padded so that every 16 × 16 block the tensor cores load lies inside: a pass over
// each operand instead of a staging step per workgroup and chunk. src/gpu/ops/linear.ts prepends
// `enable f16;` and shaders/quant.wgsl. Twin: src/reference/linear_pack.ts.
//   pack_rows:   dst (prows, pcols) = src (rows, cols) · scale rounded to f16, zero outside
//                (activations X forward, gradients dY · 2¹⁰ backward);
//   pack_weight: dst (prows, pcols) = W (rows = O, cols = I) decoded and rounded to f16, zero
//                outside — row-major, the layout both directions load (forward column-major).
// Each invocation writes 8 halves of a row as one vec4u (pcols is a multiple of 8).
// Outputs: `dst` overwritten (all prows × pcols halves).

struct PackDims { rows: u32, cols: u32, prows: u32, pcols: u32, scale: f32 }

@group(0) @binding(0) var<storage, read_write> dst: array<vec4u>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> wbytes: array<u32>;
@group(0) @binding(3) var<uniform> pd: PackDims;

const PACK_WG: u32 = 256u;

fn halves(v: array<f32, 8>) -> vec4u {
  return vec4u(bitcast<u32>(vec2<f16>(f16(v[0]), f16(v[1]))), bitcast<u32>(vec2<f16>(f16(v[2]), f16(v[3]))),
               bitcast<u32>(vec2<f16>(f16(v[4]), f16(v[5]))), bitcast<u32>(vec2<f16>(f16(v[6]), f16(v[7]))));
}

// The group of 8 this invocation writes: row r, columns c … c + 7; false past the padded matrix.
fn group_at(wg: vec3u, nw: vec3u, li: u32) -> vec3u {
  let g = (wg.y * nw.x + wg.x) * PACK_WG + li;
  let per_row = pd.pcols / 8u;
  return vec3u(g / per_row, (g % per_row) * 8u, select(0u, 1u, g < pd.prows * per_row));
}

@compute @workgroup_size(PACK_WG)
fn pack_rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u,
             @builtin(local_invocation_index) li: u32) {
  let at = group_at(wg, nw, li);
  if (at.z == 0u) { return; }
  var v: array<f32, 8>;
  if (at.x < pd.rows) {
    for (var c = 0u; c < 8u; c++) {
      if (at.y + c < pd.cols) { v[c] = src[at.x * pd.cols + at.y + c] * pd.scale; }
    }
  }
  dst[(at.x * pd.pcols + at.y) / 8u] = halves(v);
}

@compute @workgroup_size(PACK_WG)
fn pack_weight(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u,
               @builtin(local_invocation_index) li: u32) {
  let at = group_at(wg, nw, li);
  if (at.z == 0u) { return; }
  var v: array<f32, 8>;
  if (at.x < pd.rows) {
    let e = at.x * pd.cols + at.y;
    if (at.y + 8u <= pd.cols && pd.cols % 8u == 0u) {
      v = w_row8(e);
    } else {
      for (var c = 0u; c < 8u; c++) {
        if (at.y + c < pd.cols) { v[c] = w_elem(e + c); }
      }
    }
  }
  dst[(at.x * pd.pcols + at.y) / 8u] = halves(v);
}
