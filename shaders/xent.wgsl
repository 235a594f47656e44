// xent — the cross-entropy of next-token prediction over the full vocabulary, per row:
// nll[t] = log Σ_v exp(logits[t, v] − m) + m − logits[t, target[t]], m = max_v logits[t, v].
// Shapes: logits (T, V); targets (T) token ids; nll (T).
// Work split: one 256-wide workgroup per row; max and sum are fixed-order trees in workgroup
// memory (the sum runs after the max, so exp never overflows).
// Outputs: overwrites nll.

struct Dims { T: u32, V: u32, _p0: u32, _p1: u32 }

@group(0) @binding(0) var<storage, read_write> nll: array<f32>;  // (T)
@group(0) @binding(1) var<storage, read> logits: array<f32>;     // (T, V)
@group(0) @binding(2) var<storage, read> targets: array<u32>;    // (T)
@group(0) @binding(3) var<uniform> dims: Dims;

const RW: u32 = 256u; // invocations per row
var<workgroup> part: array<f32, RW>;

fn row_reduce(li: u32, v: f32, take_max: bool) -> f32 {
  part[li] = v;
  workgroupBarrier();
  for (var s = RW / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      part[li] = select(part[li] + part[li + s], max(part[li], part[li + s]), take_max);
    }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(RW)
fn xent_forward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let t = wg.x;
  let V = dims.V;
  var m = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var v = li; v < V; v += RW) { m = max(m, logits[t * V + v]); }
  m = row_reduce(li, m, true);
  var s = 0.0;
  for (var v = li; v < V; v += RW) { s += exp(logits[t * V + v] - m); }
  s = row_reduce(li, s, false);
  if (li == 0u) { nll[t] = log(s) + m - logits[t * V + targets[t]]; }
}
