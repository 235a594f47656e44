// The reference Llama's backward against central finite differences in f64: random entries of
// every matrix type of every layer, on fixtures with GQA, odd widths, partial RoPE, a tied head,
// Qwen2's biases and NeoX order, Phi-3's fused tensors.
import { describe, expect, it } from 'vitest';
import { llamaForward, llamaScores } from '../../src/reference/llama';
import { weightsToF64, type LlamaWeights } from '../../src/model/weights';
import { MATRICES } from '../../src/model/config';
import { mulberry32 } from '../../src/util/random';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { F64_FD } from '../../src/util/tolerances';
import { fixtureWeights } from '../helpers/fixtures';

const TOKENS = [1, 290, 17, 300, 301, 45, 320, 260, 2, 299, 3];
const ENTRIES_PER_MATRIX = 3;

function fdCheck(w: LlamaWeights<Float64Array>, tokens: number[], seed: number) {
  const res = llamaScores(w, tokens);
  const target = res.argmax;
  const D = () => llamaForward(w, tokens).logits[target];
  const rnd = mulberry32(seed);
  const analytic: number[] = [];
  const numeric: number[] = [];
  const where: string[] = [];
  for (let l = 0; l < w.config.blockCount; l++) {
    for (const m of MATRICES) {
      const W = w.layers[l].matrices[m];
      for (let k = 0; k < ENTRIES_PER_MATRIX; k++) {
        const i = Math.floor(rnd() * W.length);
        const keep = W[i];
        const h = 1e-5 * Math.max(1, Math.abs(keep));
        W[i] = keep + h;
        const up = D();
        W[i] = keep - h;
        const down = D();
        W[i] = keep;
        analytic.push(res.grads[l][m][i]);
        numeric.push((up - down) / (2 * h));
        where.push(`layer ${l} ${m}[${i}]`);
      }
    }
  }
  return { analytic, numeric, where, res };
}

describe('reference Llama backward vs finite differences (f64)', () => {
  // rope: Llama 3.1's frequency factors and linear RoPE scaling; qwen2: biases, NeoX order;
  // phi3: fused tensors
  for (const name of ['f32', 'f16', 'q4_0', 'rope', 'qwen2', 'phi3'] as const) {
    it(`${name} fixture: every matrix of every layer`, async () => {
      const w = weightsToF64(await fixtureWeights(name));
      const { analytic, numeric, where, res } = fdCheck(w, TOKENS, 7);
      const cmp = compareArrays(analytic, numeric, F64_FD);
      const first = cmp.mismatches[0];
      expect(
        cmp.ok,
        `${describeComparison(name, cmp)}\nfirst at ${first ? where[first.index] : ''}`,
      ).toBe(true);
      expect(analytic.length).toBe(w.config.blockCount * 7 * ENTRIES_PER_MATRIX);
      // gradients are not trivially zero
      expect(analytic.filter((g) => Math.abs(g) > 1e-8).length).toBeGreaterThan(
        analytic.length * 0.8,
      );
      expect(res.maxLogit).toBe(res.logits[res.argmax]);
    });
  }

  it('a single-token input (T = 1) has gradients too', async () => {
    const w = weightsToF64(await fixtureWeights('f32'));
    const { analytic, numeric } = fdCheck(w, [1], 3);
    expect(compareArrays(analytic, numeric, F64_FD).ok).toBe(true);
  });

  it('f32 and f64 scores agree to f32 precision', async () => {
    const w32 = await fixtureWeights('q8_0');
    const r32 = llamaScores(w32, TOKENS);
    const r64 = llamaScores(weightsToF64(w32), TOKENS);
    expect(r32.argmax).toBe(r64.argmax);
    for (let l = 0; l < w32.config.blockCount; l++) {
      for (const m of MATRICES) {
        const c = compareArrays(r32.grads[l][m], r64.grads[l][m], { rel: 1e-3, abs: 1e-6 });
        expect(c.ok, describeComparison(`layer ${l} ${m}`, c)).toBe(true);
      }
    }
  });
});
