// RoPE frequency scaling as llama.cpp reads it (src/model/read-config.ts, src/reference/rope.ts):
// Llama 3.1's per-pair factors from rope_freqs.weight and linear scaling from rope.scaling.*,
// each changing the angles as ggml_rope_ext does (t · scale · base^(−2i/d) / factor_i); YaRN as
// llama.cpp computes it; LongRoPE refused by name; a factor file that does not fit refused before
// anything runs.
import { describe, expect, it } from 'vitest';
import { FIXTURES, makeFixtureModel } from '../../src/model/fixture';
import { readGguf } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { meta, type TensorToWrite } from '../../src/gguf/writer';
import type { GgufEntry } from '../../src/gguf/types';
import { ropeFreqs } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaForward } from '../../src/reference/llama';
import { ropeTable } from '../../src/reference/rope';

const open = (
  edit?: (md: [string, GgufEntry][], t: TensorToWrite[]) => void,
  base = FIXTURES.f32,
) => readGguf(bytesSource(makeFixtureModel(base, edit), 'm.gguf'));

describe('RoPE scaling', () => {
  it('angles: t · scale · base^(−2i/d) / factor_i', () => {
    const tab = ropeTable(5, { ropeDims: 6, base: 500, scale: 0.25, factors: [1, 2, 8] });
    for (let t = 0; t < 5; t++)
      [1, 2, 8].forEach((f, i) => {
        const a = (t * 0.25 * 500 ** ((-2 * i) / 6)) / f;
        expect(tab[(t * 3 + i) * 2]).toBeCloseTo(Math.cos(a), 14);
        expect(tab[(t * 3 + i) * 2 + 1]).toBeCloseTo(Math.sin(a), 14);
      });
    expect(() => ropeTable(2, { ropeDims: 6, base: 500, scale: 1, factors: [1, 2] })).toThrow(
      '2 frequency factors for 3 pairs',
    );
  });

  it('reads the factors and the linear scale, and uses them', async () => {
    const file = await open(undefined, FIXTURES.rope);
    const c = llamaConfig(file);
    expect(c.ropeFreqScale).toBe(0.5);
    expect(c.ropeFactors).toBe(true);
    const w = await loadLlamaWeights(file);
    expect([...w.ropeFactors!]).toEqual([1, 1.5, 4, 8]);
    const tokens = [1, 40, 7, 99, 12, 5];
    const withRope = llamaForward(w, tokens).logits;
    // the same weights without the factors, and without the scale: other logits
    const plain = { ...w, config: { ...c, ropeFactors: undefined }, ropeFactors: undefined };
    const unscaled = { ...w, config: { ...c, ropeFreqScale: undefined } };
    for (const other of [plain, unscaled]) {
      const l = llamaForward(other, tokens).logits;
      expect(Math.max(...l.map((x, i) => Math.abs(x - withRope[i])))).toBeGreaterThan(1e-3);
    }
  });

  it('linear scaling: rope.scaling.factor, the older rope.scale_linear; none: no scaling', async () => {
    const withKeys = (entries: [string, GgufEntry][]) =>
      open((md) => md.push(...entries)).then(llamaConfig);
    expect((await withKeys([['llama.rope.scaling.factor', meta.f32(4)]])).ropeFreqScale).toBe(0.25);
    expect((await withKeys([['llama.rope.scale_linear', meta.f32(8)]])).ropeFreqScale).toBe(0.125);
    const none = await withKeys([
      ['llama.rope.scaling.type', meta.str('none')],
      ['llama.rope.scaling.factor', meta.f32(4)],
    ]);
    expect(none.ropeFreqScale).toBeUndefined();
    expect((await withKeys([])).ropeFreqScale).toBeUndefined();
  });

  it('YaRN as llama.cpp computes it: correction range, ramp and magnitude', async () => {
    const c = llamaConfig(
      await open((md) =>
        md.push(
          ['llama.rope.scaling.type', meta.str('yarn')],
          ['llama.rope.scaling.factor', meta.f32(4)],
          ['llama.rope.scaling.original_context_length', meta.u32(32)],
        ),
      ),
    );
    // ggml_rope_yarn_corr_dims(6, 32, 10000, 32, 1): floor(6·ln(32/(64π))/(2 ln 1e4)) → 0 (max 0),
    // ceil(6·ln(32/(2π))/(2 ln 1e4)) = ceil(0.2654) = 1
    expect(c.ropeYarn).toEqual({ low: 0, high: 1, extFactor: 1 });
    expect(c.ropeFreqScale).toBe(0.25);
    expect(c.ropeMscale).toBeCloseTo(1 + 0.1 * Math.log(4), 12);
    // pair 0 keeps its angle (ramp 1), pairs ≥ high are scaled by 1/4 (ramp 0); cos, sin × mscale
    const tab = ropeTable(3, ropeFreqs(c));
    const m = c.ropeMscale!;
    for (const [i, k] of [
      [0, 1],
      [1, 0.25],
      [2, 0.25],
    ] as const) {
      const a = 2 * k * 10000 ** ((-2 * i) / 6);
      expect(tab[(2 * 3 + i) * 2]).toBeCloseTo(Math.cos(a) * m, 12);
      expect(tab[(2 * 3 + i) * 2 + 1]).toBeCloseTo(Math.sin(a) * m, 12);
    }
    // rope.scaling.attn_factor scales cos and sin for linear scaling too
    const attn = llamaConfig(
      await open((md) => md.push(['llama.rope.scaling.attn_factor', meta.f32(0.5)])),
    );
    expect(attn.ropeMscale).toBe(0.5);
  });

  it('refuses LongRoPE, YaRN with a log multiplier and factors that do not fit, by name', async () => {
    await expect(
      open((md) => md.push(['llama.rope.scaling.type', meta.str('longrope')])).then(llamaConfig),
    ).rejects.toThrow(
      'RoPE scaling "longrope" (metadata "llama.rope.scaling.type") is not supported',
    );
    await expect(
      open((md) =>
        md.push(
          ['llama.rope.scaling.type', meta.str('yarn')],
          ['llama.rope.scaling.yarn_log_multiplier', meta.f32(0.1)],
        ),
      ).then(llamaConfig),
    ).rejects.toThrow('YaRN with a log multiplier');
    const factors = (data: number[]) =>
      open((_, t) =>
        t.push({
          name: 'rope_freqs.weight',
          dims: [data.length],
          type: 0,
          data: Float32Array.from(data),
        }),
      );
    // f32 fixture: head dim 6, 3 pairs
    await expect(factors([1, 2]).then(llamaConfig)).rejects.toThrow(
      'tensor "rope_freqs.weight" has shape [2], expected [3] from the metadata',
    );
    await expect(factors([1, 0, 2]).then(loadLlamaWeights)).rejects.toThrow(
      'tensor "rope_freqs.weight" has 0 at 1',
    );
    expect(llamaConfig(await factors([1, 2, 4])).ropeFactors).toBe(true);
  });
});
