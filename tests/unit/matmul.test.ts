// The reference matmul against a naive f64 product and its backward against finite differences.
import { describe, expect, it } from 'vitest';
import * as ref from '../../src/reference/matmul';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { F64_FD } from '../../src/util/tolerances';
import { mulberry32 } from '../../src/util/random';

function rand64(n: number, seed: number): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, () => r() * 2 - 1);
}

const d = { T: 5, I: 7, O: 3 };

/** D = Σ G ⊙ (X Wᵀ): a scalar whose gradients are dX = G W and dW = Gᵀ X. */
function objective(X: Float64Array, W: Float64Array, G: Float64Array): number {
  const Y = new Float64Array(d.T * d.O);
  ref.matmulForward(Y, X, W, d);
  let s = 0;
  for (let k = 0; k < Y.length; k++) s += Y[k] * G[k];
  return s;
}

function finiteDifference(f: () => number, x: Float64Array, k: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(x[k]));
  const keep = x[k];
  x[k] = keep + h;
  const up = f();
  x[k] = keep - h;
  const down = f();
  x[k] = keep;
  return (up - down) / (2 * h);
}

describe('reference matmul', () => {
  it('forward equals a hand-computed 2×3 · (2×3)ᵀ product', () => {
    const X = Float64Array.from([1, 2, 3, 4, 5, 6]); // (2, 3)
    const W = Float64Array.from([1, 0, -1, 0.5, 0.5, 0.5]); // (2, 3)
    const Y = new Float64Array(4);
    ref.matmulForward(Y, X, W, { T: 2, I: 3, O: 2 });
    expect(Array.from(Y)).toEqual([-2, 3, -2, 7.5]);
  });

  it('backward_input and backward_weight match finite differences in f64', () => {
    const X = rand64(d.T * d.I, 1);
    const W = rand64(d.O * d.I, 2);
    const G = rand64(d.T * d.O, 3);
    const dX = new Float64Array(d.T * d.I);
    const dW = new Float64Array(d.O * d.I);
    ref.matmulBackwardInput(dX, G, W, d);
    ref.matmulBackwardWeight(dW, G, X, d);
    const f = () => objective(X, W, G);
    const fdX = Float64Array.from(dX, (_, k) => finiteDifference(f, X, k));
    const fdW = Float64Array.from(dW, (_, k) => finiteDifference(f, W, k));
    const cx = compareArrays(dX, fdX, F64_FD);
    const cw = compareArrays(dW, fdW, F64_FD);
    expect(cx.ok, describeComparison('dX', cx)).toBe(true);
    expect(cw.ok, describeComparison('dW', cw)).toBe(true);
  });

  it('a wrong gradient is caught by the same check', () => {
    const X = rand64(d.T * d.I, 4);
    const W = rand64(d.O * d.I, 5);
    const G = rand64(d.T * d.O, 6);
    const dW = new Float64Array(d.O * d.I);
    ref.matmulBackwardWeight(dW, G, X, d);
    dW[3] *= 1.001;
    const fdW = Float64Array.from(dW, (_, k) => finiteDifference(() => objective(X, W, G), W, k));
    const c = compareArrays(dW, fdW, F64_FD);
    expect(c.ok).toBe(false);
    expect(c.mismatches[0].index).toBe(3);
  });
});
