// Op cases for shaders/f16_round.wgsl: f32 values as half bits against f16Round (src/gguf/half.ts
// per value), compared bit for bit (as their 16-bit halves) — ties to even at both the normal
// and the subnormal step, the largest half, overflow to infinity, NaN, ±0, an odd count — and the
// count beyond F16's range.
import * as gpu from '../ops/f16_round';
import { f16Round } from '../../reference/f16_round';
import type { OpCase } from '../checks/opcheck';

const EXACT = { rel: 0, abs: 0 };

/** The values: the edge cases, then seeded values across F16's range and beyond. */
function values(n: number, seed: number): Float32Array {
  const edges = [
    0,
    -0,
    1,
    -1,
    65504,
    -65504,
    65519.99,
    65520,
    70000,
    Infinity,
    -Infinity,
    NaN,
    // ties: 1 + 2^-11 (to even: 1), 1 + 3·2^-11 (to even: up), subnormal ties
    1 + 2 ** -11,
    1 + 3 * 2 ** -11,
    2 ** -25,
    3 * 2 ** -25,
    2 ** -24,
    2 ** -26,
    6.1e-5,
    1e-8,
  ];
  let s = seed >>> 0;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const x = new Float32Array(n);
  x.set(edges.slice(0, n));
  for (let e = edges.length; e < n; e++) x[e] = r() * 2 ** Math.floor(r() * 40 - 20);
  return x;
}

/** Two halves per word as their values (exact in f32). */
const halves = (w: Uint32Array) =>
  Float32Array.from({ length: w.length * 2 }, (_, e) => (w[e >> 1] >>> (16 * (e & 1))) & 0xffff);

export function f16RoundCases(n: number, seed = 3): OpCase<Record<string, Uint32Array>>[] {
  const x = values(n, seed);
  const want = f16Round(x);
  const words = Math.ceil(n / 2);
  return [
    {
      name: `f16_round (${n} values)`,
      inputs: { x: new Uint32Array(x.buffer) },
      outputs: { out: words, beyond: 1 },
      reference: () => ({ out: halves(want.words), beyond: Float32Array.of(want.beyond) }),
      gpu: (ctx, enc, b) => gpu.f16Round(ctx, enc, b.out, b.x, b.beyond, n),
      readback: (got) => ({
        out: halves(new Uint32Array(got.out.buffer, got.out.byteOffset, words)),
        beyond: Float32Array.of(new Uint32Array(got.beyond.buffer, got.beyond.byteOffset, 1)[0]),
      }),
      tolerance: () => EXACT,
    },
  ];
}
