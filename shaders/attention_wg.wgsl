// attention_wg — shaders/attention.wgsl's forward and backward as workgroup-per-row kernels (real
// GPUs whose head dimension the block kernels do not take), appended after attention.wgsl (its
// Dims, bindings, qi/ki/hti/seq) by src/gpu/ops/attention.ts. Twin: src/reference/attention.ts.
//
// Workgroup kernels (real GPUs): one 32-wide workgroup per (t, h) (forward, backward_query)
// or (u, g) (backward_kv). Invocation i holds dims e = i, i + 32, … (≤ 8 of them) in registers;
// keys (or queries) go in blocks of 32: each invocation forms partial dot products for the block,
// they meet in workgroup memory, and invocation j sums key j's. T·H workgroups instead of T·H
// invocations, and no Dh-long array per invocation.

const WG_A: u32 = 32u;
const PER_E: u32 = 8u; // MAX_DH / WG_A
var<workgroup> part_s: array<f32, 1024>; // [key j][invocation i] partial q·k
var<workgroup> part_d: array<f32, 1024>; // [key j][invocation i] partial dout·v
var<workgroup> blk_s: array<f32, 32>;    // per key of the block: score (forward: p) or p
var<workgroup> blk_d: array<f32, 32>;    // per key of the block: ds

fn sum_part(j: u32, dot_d: bool) -> f32 {
  var s = 0.0;
  for (var i = 0u; i < WG_A; i++) {
    if (dot_d) { s += part_d[j * WG_A + i]; } else { s += part_s[j * WG_A + i]; }
  }
  return s;
}

@compute @workgroup_size(32)
fn attention_forward_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  var qv: array<f32, PER_E>;
  var acc: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    qv[r] = select(0.0, q[qi(t, h) + min(e, dims.Dh - 1u)], e < dims.Dh);
    acc[r] = 0.0;
  }
  var m = -3.0e38;
  var l = 0.0;
  for (var u0 = 0u; u0 <= t; u0 += WG_A) {
    let n = min(WG_A, t + 1u - u0);
    for (var j = 0u; j < n; j++) {
      var s = 0.0;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { s += qv[r] * k[ki(u0 + j, g) + e]; }
      }
      part_s[j * WG_A + i] = s;
    }
    workgroupBarrier();
    if (i < n) { blk_s[i] = sum_part(i, false) * dims.scale; }
    workgroupBarrier();
    // every invocation runs the same online-softmax update over the block, key by key
    for (var j = 0u; j < n; j++) {
      let s = blk_s[j];
      let mn = max(m, s);
      let corr = exp(m - mn);
      let p = exp(s - mn);
      l = l * corr + p;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { acc[r] = acc[r] * corr + p * v[ki(u0 + j, g) + e]; }
      }
      m = mn;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) { out0[qi(t, h) + e] = acc[r] / l; }
  }
  if (i == 0u) { out1[h * dims.T + t] = m + log(l); }
}

@compute @workgroup_size(32)
fn attention_backward_query_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let t = wg.x;
  let h = wg.y;
  let g = h / (dims.H / dims.Hkv);
  var qv: array<f32, PER_E>;
  var dov: array<f32, PER_E>;
  var acc: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    let ec = min(e, dims.Dh - 1u);
    qv[r] = select(0.0, q[qi(t, h) + ec], e < dims.Dh);
    dov[r] = select(0.0, dout[qi(t, h) + ec], e < dims.Dh);
    acc[r] = 0.0;
  }
  let L = lse[h * dims.T + t];
  let D = delta[h * dims.T + t];
  for (var u0 = 0u; u0 <= t; u0 += WG_A) {
    let n = min(WG_A, t + 1u - u0);
    for (var j = 0u; j < n; j++) {
      var s = 0.0;
      var dp = 0.0;
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) {
          s += qv[r] * k[ki(u0 + j, g) + e];
          dp += dov[r] * v[ki(u0 + j, g) + e];
        }
      }
      part_s[j * WG_A + i] = s;
      part_d[j * WG_A + i] = dp;
    }
    workgroupBarrier();
    if (i < n) {
      let p = exp(sum_part(i, false) * dims.scale - L);
      blk_d[i] = p * (sum_part(i, true) - D) * dims.scale;
    }
    workgroupBarrier();
    for (var j = 0u; j < n; j++) {
      let ds = blk_d[j];
      for (var r = 0u; r < PER_E; r++) {
        let e = i + r * WG_A;
        if (e < dims.Dh) { acc[r] += ds * k[ki(u0 + j, g) + e]; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) { out0[qi(t, h) + e] = acc[r]; }
  }
}

@compute @workgroup_size(32)
fn attention_backward_kv_wg(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) i: u32) {
  let u = wg.x;
  let g = wg.y;
  let group = dims.H / dims.Hkv;
  var kv: array<f32, PER_E>;
  var vv: array<f32, PER_E>;
  var dk: array<f32, PER_E>;
  var dv: array<f32, PER_E>;
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    let ec = min(e, dims.Dh - 1u);
    kv[r] = select(0.0, k[ki(u, g) + ec], e < dims.Dh);
    vv[r] = select(0.0, v[ki(u, g) + ec], e < dims.Dh);
    dk[r] = 0.0;
    dv[r] = 0.0;
  }
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t0 = u; t0 < dims.T; t0 += WG_A) {
      let n = min(WG_A, dims.T - t0);
      for (var j = 0u; j < n; j++) {
        var s = 0.0;
        var dp = 0.0;
        for (var r = 0u; r < PER_E; r++) {
          let e = i + r * WG_A;
          if (e < dims.Dh) {
            s += q[qi(t0 + j, h) + e] * kv[r];
            dp += dout[qi(t0 + j, h) + e] * vv[r];
          }
        }
        part_s[j * WG_A + i] = s;
        part_d[j * WG_A + i] = dp;
      }
      workgroupBarrier();
      if (i < n) {
        let t = t0 + i;
        let p = exp(sum_part(i, false) * dims.scale - lse[h * dims.T + t]);
        blk_s[i] = p;
        blk_d[i] = p * (sum_part(i, true) - delta[h * dims.T + t]) * dims.scale;
      }
      workgroupBarrier();
      for (var j = 0u; j < n; j++) {
        let p = blk_s[j];
        let ds = blk_d[j];
        for (var r = 0u; r < PER_E; r++) {
          let e = i + r * WG_A;
          if (e < dims.Dh) {
            dk[r] += ds * q[qi(t0 + j, h) + e];
            dv[r] += p * dout[qi(t0 + j, h) + e];
          }
        }
      }
      workgroupBarrier();
    }
  }
  for (var r = 0u; r < PER_E; r++) {
    let e = i + r * WG_A;
    if (e < dims.Dh) {
      out0[ki(u, g) + e] = dk[r];
      out1[ki(u, g) + e] = dv[r];
    }
  }
}
