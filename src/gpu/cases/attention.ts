// Op cases for shaders/attention.wgsl: causal attention with GQA, forward (out, lse) and backward
// (dq, dk, dv; delta is scratch), through whichever kernels the context picks.
import * as gpu from '../ops/attention';
import * as ref from '../../reference/attention';
import { randomArray } from '../../util/random';
import type { OpCase } from '../opcheck';

export function attentionCases(d: ref.AttentionDims, seed = 1): OpCase[] {
  const nq = d.T * d.H * d.Dh;
  const nk = d.T * d.Hkv * d.Dh;
  const q = randomArray(nq, seed);
  const k = randomArray(nk, seed + 1);
  const v = randomArray(nk, seed + 2);
  const dout = randomArray(nq, seed + 3);
  const att = new Float32Array(nq);
  const probs = new Float32Array(d.H * d.T * d.T);
  ref.attentionForward(att, probs, q, k, v, d);
  const tag = `(T=${d.T}, H=${d.H}, Hkv=${d.Hkv}, Dh=${d.Dh})`;
  return [
    {
      name: `attention_forward ${tag}`,
      inputs: { q, k, v },
      outputs: { att: nq, lse: d.H * d.T },
      reference: () => ({ att }),
      gpu: (ctx, enc, b) => gpu.attentionForward(ctx, enc, b.att, b.lse, b.q, b.k, b.v, d),
    },
    {
      name: `attention_backward ${tag}`,
      inputs: { q, k, v, dout },
      outputs: { att: nq, lse: d.H * d.T, delta: d.H * d.T, dq: nq, dk: nk, dv: nk },
      reference: ({ q, k, v, dout }) => {
        const dq = new Float32Array(nq);
        const dk = new Float32Array(nk);
        const dv = new Float32Array(nk);
        ref.attentionBackward(dq, dk, dv, dout, q, k, v, probs, d);
        return { dq, dk, dv };
      },
      // the backward reads the forward's out and lse (the GPU keeps lse, not the probabilities)
      gpu: (ctx, enc, b) => {
        gpu.attentionForward(ctx, enc, b.att, b.lse, b.q, b.k, b.v, d);
        const { dq, dk, dv, delta, dout, q, k, v, att, lse } = b;
        gpu.attentionBackward(ctx, enc, dq, dk, dv, delta, dout, q, k, v, att, lse, d);
      },
    },
  ];
}
