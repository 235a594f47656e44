// Writer → reader round trip: metadata of every value type, tensors of every written type,
// streamed from a Blob through slice(); config from metadata and its named errors.
import { describe, expect, it } from 'vitest';
import { readGguf, readTensorF32 } from '../../src/gguf/reader';
import { blobSource, bytesSource } from '../../src/gguf/source';
import { meta, writeGguf } from '../../src/gguf/writer';
import { quantize } from '../../src/gguf/quantize';
import { dequantize } from '../../src/gguf/dequant';
import { GgmlType, GgufValueType } from '../../src/gguf/types';
import { FIXTURES, fixtureConfig, makeFixtureModel } from '../../src/model/fixture';
import { llamaConfig } from '../../src/model/read-config';
import { randomArray } from '../../src/util/random';
import { fixtureBytes } from '../helpers/fixtures';

describe('GGUF round trip', () => {
  it('keeps metadata of every value type, nested arrays included', async () => {
    const md = [
      ['a.u8', meta.u8(200)],
      ['a.i32', meta.i32(-7)],
      ['a.u32', meta.u32(4000000000)],
      ['a.u64', meta.u64(2n ** 60n)],
      ['a.f32', meta.f32(0.5)],
      ['a.f64', meta.f64(Math.PI)],
      ['a.bool', meta.bool(true)],
      ['a.str', meta.str('héllo ▁ 🙂')],
      ['a.i16', { type: GgufValueType.INT16, value: -300 }],
      ['a.i64', { type: GgufValueType.INT64, value: -5 }],
      ['a.strs', meta.arr(GgufValueType.STRING, ['x', '', 'zz'])],
      [
        'a.nested',
        meta.arr(GgufValueType.ARRAY, [
          { itemType: GgufValueType.UINT8, items: [1, 2] },
          { itemType: GgufValueType.UINT8, items: [] },
        ]),
      ],
    ] as const;
    const bytes = writeGguf(md as never, []);
    const f = await readGguf(bytesSource(bytes, 'meta.gguf'));
    expect(f.version).toBe(3);
    const v = (k: string) => f.metadata.get(k)?.value;
    expect(v('a.u8')).toBe(200);
    expect(v('a.i32')).toBe(-7);
    expect(v('a.u32')).toBe(4000000000);
    expect(v('a.u64')).toBe(2n ** 60n);
    expect(v('a.f32')).toBe(0.5);
    expect(v('a.f64')).toBe(Math.PI);
    expect(v('a.bool')).toBe(true);
    expect(v('a.str')).toBe('héllo ▁ 🙂');
    expect(v('a.i16')).toBe(-300);
    expect(v('a.i64')).toBe(-5);
    expect(v('a.strs')).toEqual({ itemType: GgufValueType.STRING, items: ['x', '', 'zz'] });
    expect(v('a.nested')).toEqual({
      itemType: GgufValueType.ARRAY,
      items: [
        { itemType: GgufValueType.UINT8, items: [1, 2] },
        { itemType: GgufValueType.UINT8, items: [] },
      ],
    });
  });

  for (const t of [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0]) {
    it(`tensors of type ${GgmlType[t]} read back as written, at aligned offsets`, async () => {
      const a = randomArray(64 * 3, 5);
      const b = randomArray(96, 6, 3);
      const bytes = writeGguf(
        [['general.alignment', meta.u32(64)]],
        [
          { name: 'a', dims: [64, 3], type: t, data: a },
          { name: 'b', dims: [96], type: t, data: b },
        ],
      );
      const f = await readGguf(blobSource(new Blob([bytes as BlobPart]), 'tensors.gguf'));
      expect(f.alignment).toBe(64);
      for (const [name, data] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const info = f.tensors.get(name)!;
        expect(info.offset % 64).toBe(0);
        const expected = dequantize(t, quantize(t, data), data.length);
        expect(Array.from(await readTensorF32(f, name))).toEqual(Array.from(expected));
      }
      if (t === GgmlType.F32)
        expect(Array.from(await readTensorF32(f, 'a'))).toEqual(Array.from(a));
    });
  }

  it('quantizers stay within their precision', () => {
    const x = randomArray(256, 9);
    const err = (t: GgmlType) => {
      const y = dequantize(t, quantize(t, x), x.length);
      return Math.max(...x.map((v, i) => Math.abs(v - y[i])));
    };
    expect(err(GgmlType.F16)).toBeLessThan(1e-3);
    expect(err(GgmlType.Q8_0)).toBeLessThan(1 / 127);
    expect(err(GgmlType.Q4_0)).toBeLessThan(1 / 7);
  });
});

describe('Llama config from metadata', () => {
  for (const name of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
    it(`${name} fixture`, async () => {
      const f = await readGguf(bytesSource(fixtureBytes(name), `${name}.gguf`));
      expect(llamaConfig(f)).toEqual(fixtureConfig(FIXTURES[name]));
    });
  }

  it('names an unsupported architecture', async () => {
    const bytes = writeGguf([['general.architecture', meta.str('gpt2')]], []);
    const f = await readGguf(bytesSource(bytes, 'gpt2.gguf'));
    expect(() => llamaConfig(f)).toThrow(
      /gpt2\.gguf: architecture "gpt2" is not supported \(architectures: llama \(.*\), qwen2 \(.*\), phi3 \(Phi-3\)\)/,
    );
  });

  it('names the tensors a qwen2 or phi3 file has that the model would not use', async () => {
    const extra = (arch: 'qwen2' | 'phi3', name: string) =>
      readGguf(
        bytesSource(
          makeFixtureModel(FIXTURES[arch], (_, t) =>
            t.push({ name, dims: [4], type: 0, data: new Float32Array(4) }),
          ),
          `${arch}.gguf`,
        ),
      );
    // an attn_output bias (Qwen2 has none), a Phi-3 128k model's LongRoPE factors
    await expect(extra('qwen2', 'blk.0.attn_output.bias').then(llamaConfig)).rejects.toThrow(
      'qwen2.gguf: 1 tensor(s) the qwen2 model does not use: "blk.0.attn_output.bias"',
    );
    await expect(extra('phi3', 'rope_factors_long.weight').then(llamaConfig)).rejects.toThrow(
      'phi3.gguf: has "rope_factors_long.weight": LongRoPE (Phi-3 128k) is not supported',
    );
  });

  it('names a missing key', async () => {
    const bytes = writeGguf(
      [
        ['general.architecture', meta.str('llama')],
        ['llama.embedding_length', meta.u32(8)],
      ],
      [{ name: 'token_embd.weight', dims: [8, 4], type: GgmlType.F32, data: new Float32Array(32) }],
    );
    const f = await readGguf(bytesSource(bytes, 'partial.gguf'));
    expect(() => llamaConfig(f)).toThrow(
      /partial\.gguf: metadata "llama\.attention\.head_count" is missing/,
    );
  });
});

describe('GGUF versions', () => {
  it('reads version 2 files (same layout as 3) and names version 1 as unsupported', async () => {
    const bytes = writeGguf([['general.name', meta.str('v2')]], []);
    new DataView(bytes.buffer).setUint32(4, 2, true);
    const f = await readGguf(bytesSource(bytes, 'v2.gguf'));
    expect([f.version, f.metadata.get('general.name')?.value]).toEqual([2, 'v2']);
    new DataView(bytes.buffer).setUint32(4, 1, true);
    await expect(readGguf(bytesSource(bytes, 'v1.gguf'))).rejects.toThrow(
      'v1.gguf: GGUF version 1 is not supported (GGUF versions 2 and 3)',
    );
  });
});
