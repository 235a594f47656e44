// RoPE frequency scaling as llama.cpp reads it (src/model/config.ts, src/reference/rope.ts):
// Llama 3.1's per-pair factors from rope_freqs.weight and linear scaling from rope.scaling.*,
// each changing the angles as ggml_rope_ext does (t · scale · base^(−2i/d) / factor_i); YaRN and
// LongRoPE refused by name; a factor file that does not fit refused before anything runs.
import { describe, expect, it } from 'vitest';
import { FIXTURES, makeFixtureModel } from '../../src/gguf/fixture';
import { readGguf } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { meta, type TensorToWrite } from '../../src/gguf/writer';
import type { GgufEntry } from '../../src/gguf/types';
import { llamaConfig } from '../../src/model/config';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaForward } from '../../src/reference/llama';
import { ropeTable } from '../../src/reference/rope';

const open = (
  edit?: (md: [string, GgufEntry][], t: TensorToWrite[]) => void,
  base = FIXTURES.f32,
) => readGguf(bytesSource(makeFixtureModel(base, edit), 'm.gguf'));

describe('RoPE scaling', () => {
  it('angles: t · scale · base^(−2i/d) / factor_i', () => {
    const tab = ropeTable(5, 6, 500, 0.25, [1, 2, 8]);
    for (let t = 0; t < 5; t++)
      [1, 2, 8].forEach((f, i) => {
        const a = (t * 0.25 * 500 ** ((-2 * i) / 6)) / f;
        expect(tab[(t * 3 + i) * 2]).toBeCloseTo(Math.cos(a), 14);
        expect(tab[(t * 3 + i) * 2 + 1]).toBeCloseTo(Math.sin(a), 14);
      });
    expect(() => ropeTable(2, 6, 500, 1, [1, 2])).toThrow('2 frequency factors for 3 pairs');
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

  it('refuses YaRN, LongRoPE and factors that do not fit, by name', async () => {
    for (const type of ['yarn', 'longrope'])
      await expect(
        open((md) => md.push(['llama.rope.scaling.type', meta.str(type)])).then(llamaConfig),
      ).rejects.toThrow(
        `RoPE scaling "${type}" (metadata "llama.rope.scaling.type") is not supported`,
      );
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
