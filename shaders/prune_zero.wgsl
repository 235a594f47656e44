// prune_zero — the weights a mask marks (shaders/prune_mask.wgsl's bits) set to exactly 0 in the
// tensor's own GGUF bytes, in place, every other byte unchanged: F32 and F16/BF16 (the value's
// bits 0), Q8_0 (q = 0 of d · q) and Q4_0 (q = 8 of d · (q − 8)); block scales untouched.
// Work split: one invocation per u32 word of the tensor (it owns the word's 4 bytes), 1-D over
// 256-wide workgroups on a 2-D grid. Outputs: wbytes rewritten where the mask says.

struct Dims { words: u32, n: u32, groups_x: u32, _a: u32 }

override QTYPE: u32 = 0u;

@group(0) @binding(0) var<storage, read_write> wbytes: array<u32>; // raw GGUF bytes
@group(0) @binding(1) var<storage, read> mask: array<u32>;         // bit e: element e pruned
@group(0) @binding(2) var<uniform> dims: Dims;

fn pruned(e: u32) -> bool {
  return e < dims.n && ((mask[e >> 5u] >> (e & 31u)) & 1u) == 1u;
}

// Byte b of the tensor with the element(s) it encodes zeroed where pruned.
fn zero_byte(b: u32, v: u32) -> u32 {
  switch (QTYPE) {
    case 8u: { // Q8_0: 34 bytes per 32: f16 d | 32 × int8
      let r = b % 34u;
      if (r < 2u || !pruned((b / 34u) * 32u + r - 2u)) { return v; }
      return 0u;
    }
    case 2u: { // Q4_0: 18 bytes per 32: f16 d | 16 bytes: element j low nibble, j + 16 high
      let r = b % 18u;
      if (r < 2u) { return v; }
      let e = (b / 18u) * 32u + r - 2u;
      var out = v;
      if (pruned(e)) { out = (out & 0xf0u) | 8u; }
      if (pruned(e + 16u)) { out = (out & 0x0fu) | 0x80u; }
      return out;
    }
    default: { return v; }
  }
}

@compute @workgroup_size(256)
fn prune_zero(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let w = (wg.y * dims.groups_x + wg.x) * 256u + li;
  if (w >= dims.words) { return; }
  var word = wbytes[w];
  switch (QTYPE) {
    case 0u: { // F32
      if (pruned(w)) { word = 0u; }
    }
    case 1u, 30u: { // F16, BF16: elements 2w (low half), 2w + 1 (high half)
      if (pruned(2u * w)) { word &= 0xffff0000u; }
      if (pruned(2u * w + 1u)) { word &= 0x0000ffffu; }
    }
    default: {
      var out = 0u;
      for (var i = 0u; i < 4u; i++) {
        out |= zero_byte(4u * w + i, (word >> (8u * i)) & 0xffu) << (8u * i);
      }
      word = out;
    }
  }
  wbytes[w] = word;
}
