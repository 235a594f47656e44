// Op cases for shaders/attention.wgsl: causal attention with GQA, forward (out, lse) and backward
// (dq, dk, dv; delta is scratch), through whichever kernels the context picks.
import * as gpu from '../ops/attention';
import * as ref from '../../reference/attention';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

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

/**
 * A batch's sequences of Ts tokens stacked `stride` rows apart (the padding rows random), in one
 * dispatch of the block kernels: each sequence's out, dq, dk, dv as its own attention's; the
 * padding rows of the outputs left as they were (0).
 */
export function attentionStackedCases(
  d: Omit<ref.AttentionDims, 'T'>,
  Ts: number[],
  stride: number,
  seed = 1,
): OpCase[] {
  const rows = Ts.length * stride;
  const [wq, wk] = [d.H * d.Dh, d.Hkv * d.Dh];
  const q = randomArray(rows * wq, seed);
  const k = randomArray(rows * wk, seed + 1);
  const v = randomArray(rows * wk, seed + 2);
  const dout = randomArray(rows * wq, seed + 3);
  const want = { att: new Float32Array(rows * wq), dq: new Float32Array(rows * wq) };
  const wantKv = { dk: new Float32Array(rows * wk), dv: new Float32Array(rows * wk) };
  Ts.forEach((T, z) => {
    const dz = { ...d, T };
    const at = (a: Float32Array, w: number) => a.subarray(z * stride * w, (z * stride + T) * w);
    const probs = new Float32Array(d.H * T * T);
    ref.attentionForward(at(want.att, wq), probs, at(q, wq), at(k, wk), at(v, wk), dz);
    const [dq, dk, dv] = [at(want.dq, wq), at(wantKv.dk, wk), at(wantKv.dv, wk)];
    ref.attentionBackward(dq, dk, dv, at(dout, wq), at(q, wq), at(k, wk), at(v, wk), probs, dz);
  });
  const seqs = { T: Ts, stride };
  const dMax = { ...d, T: Math.max(...Ts) };
  const tag = `(T=${Ts.join('+')} stacked ${stride} apart, H=${d.H}, Hkv=${d.Hkv}, Dh=${d.Dh})`;
  const stats = rows * d.H;
  return [
    {
      name: `attention_forward ${tag}`,
      inputs: { q, k, v },
      outputs: { att: rows * wq, lse: stats },
      reference: () => ({ att: want.att }),
      gpu: (ctx, enc, b) => gpu.attentionForward(ctx, enc, b.att, b.lse, b.q, b.k, b.v, dMax, seqs),
    },
    {
      name: `attention_backward ${tag}`,
      inputs: { q, k, v, dout },
      outputs: { att: rows * wq, lse: stats, delta: stats, dq: rows * wq, ...sizes(rows * wk) },
      reference: () => ({ dq: want.dq, ...wantKv }),
      gpu: (ctx, enc, b) => {
        gpu.attentionForward(ctx, enc, b.att, b.lse, b.q, b.k, b.v, dMax, seqs);
        const { dq, dk, dv, delta, dout, q, k, v, att, lse } = b;
        gpu.attentionBackward(ctx, enc, dq, dk, dv, delta, dout, q, k, v, att, lse, dMax, seqs);
      },
    },
  ];
}

const sizes = (n: number) => ({ dk: n, dv: n });
