// Every backward op of the reference (src/reference/<op>.ts) against central finite differences
// of its forward in f64: for L = Σ r ⊙ forward(inputs) with random r, the backward given dy = r
// must give ∂L/∂input for every input it differentiates. Shapes off the workgroup multiples,
// GQA and partial RoPE included. The whole model's backward: llama-gradcheck.test.ts.
import { describe, expect, it } from 'vitest';
import * as add from '../../src/reference/add';
import * as attention from '../../src/reference/attention';
import * as head from '../../src/reference/head';
import * as matmul from '../../src/reference/matmul';
import * as rmsnorm from '../../src/reference/rmsnorm';
import * as rope from '../../src/reference/rope';
import * as swiglu from '../../src/reference/swiglu';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { F64_FD } from '../../src/util/tolerances';
import { mulberry32 } from '../../src/util/random';

const rnd = mulberry32(7);
const f64 = (n: number, scale = 1) =>
  Float64Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);

/**
 * ∂L/∂x[i] by central differences for L(x) = Σ r ⊙ f(x), at every index of x (small inputs) or
 * `sample` random ones.
 */
function numeric(x: Float64Array, f: () => Float64Array, r: Float64Array, at: number[]): number[] {
  const L = () => f().reduce((s, y, i) => s + r[i] * y, 0);
  return at.map((i) => {
    const keep = x[i];
    const h = 1e-6 * Math.max(1, Math.abs(keep));
    x[i] = keep + h;
    const up = L();
    x[i] = keep - h;
    const down = L();
    x[i] = keep;
    return (up - down) / (2 * h);
  });
}

function expectGrad(
  name: string,
  x: Float64Array,
  dx: Float64Array,
  f: () => Float64Array,
  r: Float64Array,
) {
  const at = Array.from({ length: Math.min(x.length, 40) }, (_, k) =>
    x.length <= 40 ? k : Math.floor(rnd() * x.length),
  );
  const want = numeric(x, f, r, at);
  const got = at.map((i) => dx[i]);
  const c = compareArrays(got, want, F64_FD);
  expect(c.ok, describeComparison(name, c)).toBe(true);
  expect(
    want.some((v) => Math.abs(v) > 1e-3),
    `${name}: a gradient that is not all zero`,
  ).toBe(true);
}

describe('reference backward ops vs finite differences (f64)', () => {
  it('matmul: dX and dW of Y = X · Wᵀ', () => {
    const d = { T: 3, I: 7, O: 5 };
    const [X, W, r] = [f64(d.T * d.I), f64(d.O * d.I), f64(d.T * d.O)];
    const fwd = () => {
      const Y = new Float64Array(d.T * d.O);
      matmul.matmulForward(Y, X, W, d);
      return Y;
    };
    const dX = new Float64Array(d.T * d.I);
    const dW = new Float64Array(d.O * d.I);
    matmul.matmulBackwardInput(dX, r, W, d);
    matmul.matmulBackwardWeight(dW, r, X, d);
    expectGrad('dX', X, dX, fwd, r);
    expectGrad('dW', W, dW, fwd, r);
  });

  it('rmsnorm: dx (accumulated onto what is there)', () => {
    const [T, C] = [3, 13];
    const [x, w, r] = [f64(T * C), f64(C), f64(T * C)];
    const fwd = () => {
      const y = new Float64Array(T * C);
      rmsnorm.rmsnormForward(y, new Float64Array(T), x, w, T, C, 1e-5);
      return y;
    };
    const rstd = new Float64Array(T);
    rmsnorm.rmsnormForward(new Float64Array(T * C), rstd, x, w, T, C, 1e-5);
    const before = f64(T * C);
    const dx = before.slice();
    rmsnorm.rmsnormBackward(dx, r, x, w, rstd, T, C);
    expectGrad(
      'dx',
      x,
      dx.map((v, i) => v - before[i]),
      fwd,
      r,
    );
  });

  it('rope: the backward is the transpose of the rotation (partial rotation)', () => {
    const d = { T: 4, heads: 2, headDim: 6, ropeDims: 4, base: 10000 };
    const [x, r] = [f64(d.T * d.heads * d.headDim), f64(d.T * d.heads * d.headDim)];
    const fwd = () => {
      const y = x.slice();
      rope.ropeForward(y, d);
      return y;
    };
    const dx = r.slice();
    rope.ropeBackward(dx, d);
    expectGrad('dx', x, dx, fwd, r);
  });

  it('attention: dq, dk, dv with GQA', () => {
    const d = { T: 4, H: 4, Hkv: 2, Dh: 3 };
    const nq = d.T * d.H * d.Dh;
    const nk = d.T * d.Hkv * d.Dh;
    const [q, k, v, r] = [f64(nq), f64(nk), f64(nk), f64(nq)];
    const probs = new Float64Array(d.H * d.T * d.T);
    const fwd = () => {
      const out = new Float64Array(nq);
      attention.attentionForward(out, probs, q, k, v, d);
      return out;
    };
    fwd();
    const [dq, dk, dv] = [new Float64Array(nq), new Float64Array(nk), new Float64Array(nk)];
    attention.attentionBackward(dq, dk, dv, r, q, k, v, probs, d);
    expectGrad('dq', q, dq, fwd, r);
    expectGrad('dk', k, dk, fwd, r);
    expectGrad('dv', v, dv, fwd, r);
  });

  it('swiglu: dg and du', () => {
    const n = 11;
    const [g, u, r] = [f64(n, 3), f64(n), f64(n)];
    const fwd = () => {
      const h = new Float64Array(n);
      swiglu.swigluForward(h, g, u);
      return h;
    };
    const [dg, du] = [new Float64Array(n), new Float64Array(n)];
    swiglu.swigluBackward(dg, du, r, g, u);
    expectGrad('dg', g, dg, fwd, r);
    expectGrad('du', u, du, fwd, r);
  });

  it('add: out = a + b passes the gradient to both', () => {
    const n = 9;
    const [a, b, r] = [f64(n), f64(n), f64(n)];
    const fwd = () => {
      const out = new Float64Array(n);
      add.addForward(out, a, b);
      return out;
    };
    expectGrad('da', a, r, fwd, r);
    expectGrad('db', b, r, fwd, r);
  });

  it('head: ∂(max logit)/∂xf is the winning row of the head', () => {
    const [V, C] = [7, 5];
    const [W, xf] = [f64(V * C), f64(C)];
    const logits = () => {
      const y = new Float64Array(V);
      matmul.matmulForward(y, xf, W, { T: 1, I: C, O: V });
      return y;
    };
    const index = head.headArgmax(logits()).index;
    const r = new Float64Array(V);
    r[index] = 1; // D = logits[argmax]: the max is locally that logit
    const dxf = Float64Array.from(head.headBackward(W, index, C));
    expectGrad('dxf', xf, dxf, logits, r);
  });
});
