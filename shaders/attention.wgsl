// attention — causal multi-head attention with GQA (head h reads kv head h / (H / Hkv)).
// forward: out[t, h] = Σ_{u ≤ t} p[h, t, u] · v[u], p = softmax_u(q[t, h] · k[u] / √Dh), by an
//   online softmax; saves lse[h, t] = log Σ_u exp(score) (no T×T buffer anywhere).
// delta: delta[h, t] = Σ_e dout[t, h, e] · out[t, h, e].
// backward_query: dq[t, h] = Σ_u p (dp − delta) k[u] / √Dh, dp = dout[t, h] · v[u].
// backward_kv: dk[u, g] = Σ_{h∈g} Σ_{t≥u} p (dp − delta) q[t, h] / √Dh; dv[u, g] = Σ p dout[t, h].
// Shapes: q, out, dout, dq (T, H·Dh); k, v, dk, dv (T, Hkv·Dh); lse, delta (H, T). Dh ≤ 256.
// Work split (these kernels, for software adapters): one invocation per (t, h) (forward, delta,
//   backward_query) or per (u, g) (backward_kv), each holding a Dh-vector in registers; memory
//   grows as O(T·H·Dh). Real GPUs run the same three steps as the kernels of
//   shaders/attention_blk.wgsl (16-row blocks) or shaders/attention_wg.wgsl (a workgroup per row),
//   appended after this file (they use its Dims, bindings and index helpers); delta stays here.
// Outputs: all overwritten.

const MAX_DH: u32 = 256u;

// T: the tokens (the per-row kernels); the block kernels and delta take sequence z (grid z) of
// T[z / 4][z % 4] tokens at rows z · stride … of q, k, v, out, dout and of the (rows, H) lse and
// delta (whose sequence z holds its (H, T) statistics from row z · stride · H on)
struct Dims { T: u32, H: u32, Hkv: u32, Dh: u32, scale: f32, stride: u32, _b: u32, _c: u32, Ts: array<vec4u, 2> }

@group(0) @binding(0) var<storage, read_write> out0: array<f32>; // forward: out; delta: delta; bq: dq; bkv: dk
@group(0) @binding(1) var<storage, read_write> out1: array<f32>; // forward: lse; bkv: dv
@group(0) @binding(2) var<storage, read> q: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> v: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<f32>;
@group(0) @binding(6) var<storage, read> att: array<f32>;        // forward output (delta only)
@group(0) @binding(7) var<storage, read> lse: array<f32>;
@group(0) @binding(8) var<storage, read> delta: array<f32>;
@group(0) @binding(9) var<uniform> dims: Dims;

var<private> base: u32; // the first row of the sequence this invocation works on (0 but in a batch)

fn qi(t: u32, h: u32) -> u32 { return ((base + t) * dims.H + h) * dims.Dh; }
fn ki(u: u32, g: u32) -> u32 { return ((base + u) * dims.Hkv + g) * dims.Dh; }
// (h, t) of the (H, T) statistics of a sequence of T tokens
fn hti(h: u32, t: u32, T: u32) -> u32 { return base * dims.H + h * T + t; }

// Sequence z: its tokens (a uniform value, for loop bounds around barriers); sets `base`.
fn seq(z: u32) -> u32 {
  base = z * dims.stride;
  return dims.Ts[z / 4u][z % 4u];
}

fn score(t: u32, h: u32, u: u32, g: u32) -> f32 {
  var s = 0.0;
  for (var e = 0u; e < dims.Dh; e++) { s += q[qi(t, h) + e] * k[ki(u, g) + e]; }
  return s * dims.scale;
}

@compute @workgroup_size(64)
fn attention_forward(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  if (t >= dims.T || h >= dims.H) { return; }
  let g = h / (dims.H / dims.Hkv);
  var acc: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { acc[e] = 0.0; }
  var m = -3.0e38;
  var l = 0.0;
  for (var u = 0u; u <= t; u++) {
    let s = score(t, h, u, g);
    let mn = max(m, s);
    let corr = exp(m - mn);
    let p = exp(s - mn);
    l = l * corr + p;
    for (var e = 0u; e < dims.Dh; e++) { acc[e] = acc[e] * corr + p * v[ki(u, g) + e]; }
    m = mn;
  }
  for (var e = 0u; e < dims.Dh; e++) { out0[qi(t, h) + e] = acc[e] / l; }
  out1[h * dims.T + t] = m + log(l);
}

@compute @workgroup_size(64)
fn attention_delta(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  let T = seq(gid.z);
  if (t >= T || h >= dims.H) { return; }
  var s = 0.0;
  for (var e = 0u; e < dims.Dh; e++) { s += dout[qi(t, h) + e] * att[qi(t, h) + e]; }
  out0[hti(h, t, T)] = s;
}

@compute @workgroup_size(64)
fn attention_backward_query(@builtin(global_invocation_id) gid: vec3u) {
  let t = gid.x;
  let h = gid.y;
  if (t >= dims.T || h >= dims.H) { return; }
  let g = h / (dims.H / dims.Hkv);
  var acc: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { acc[e] = 0.0; }
  let L = lse[h * dims.T + t];
  let D = delta[h * dims.T + t];
  for (var u = 0u; u <= t; u++) {
    let p = exp(score(t, h, u, g) - L);
    var dp = 0.0;
    for (var e = 0u; e < dims.Dh; e++) { dp += dout[qi(t, h) + e] * v[ki(u, g) + e]; }
    let ds = p * (dp - D) * dims.scale;
    for (var e = 0u; e < dims.Dh; e++) { acc[e] += ds * k[ki(u, g) + e]; }
  }
  for (var e = 0u; e < dims.Dh; e++) { out0[qi(t, h) + e] = acc[e]; }
}

@compute @workgroup_size(64)
fn attention_backward_kv(@builtin(global_invocation_id) gid: vec3u) {
  let u = gid.x;
  let g = gid.y;
  if (u >= dims.T || g >= dims.Hkv) { return; }
  let group = dims.H / dims.Hkv;
  var dk: array<f32, MAX_DH>;
  var dv: array<f32, MAX_DH>;
  for (var e = 0u; e < dims.Dh; e++) { dk[e] = 0.0; dv[e] = 0.0; }
  for (var h = g * group; h < (g + 1u) * group; h++) {
    for (var t = u; t < dims.T; t++) {
      let p = exp(score(t, h, u, g) - lse[h * dims.T + t]);
      var dp = 0.0;
      for (var e = 0u; e < dims.Dh; e++) { dp += dout[qi(t, h) + e] * v[ki(u, g) + e]; }
      let ds = p * (dp - delta[h * dims.T + t]) * dims.scale;
      for (var e = 0u; e < dims.Dh; e++) {
        dk[e] += ds * q[qi(t, h) + e];
        dv[e] += p * dout[qi(t, h) + e];
      }
    }
  }
  for (var e = 0u; e < dims.Dh; e++) {
    out0[ki(u, g) + e] = dk[e];
    out1[ki(u, g) + e] = dv[e];
  }
}
