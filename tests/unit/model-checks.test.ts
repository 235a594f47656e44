// Files that read without a parse error but would give wrong or NaN scores are refused at load, by
// name: non-positive ε or RoPE base, duplicate metadata keys, overlapping tensors, tensors the
// model would not use (beyond block_count, a misspelt head, RoPE factors), NaN/Inf weights; and
// every message is one printable line of at most 300 characters.
import { describe, expect, it } from 'vitest';
import { FIXTURES, makeFixtureModel } from '../../src/model/fixture';
import { readGguf, readTensorBytes, type GgufFile } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { meta, type TensorToWrite } from '../../src/gguf/writer';
import type { GgufEntry } from '../../src/gguf/types';
import { llamaConfig } from '../../src/model/read-config';
import { loadLlamaWeights } from '../../src/model/weights';
import { GgmlType } from '../../src/gguf/types';
import { clip, MESSAGE_MAX, oneLine, printable, quoted } from '../../src/util/message';

type Edit = (md: [string, GgufEntry][], tensors: TensorToWrite[]) => void;

/** The q4_0 fixture with `edit` applied, read and configured; the error message or 'ok'. */
async function load(edit: Edit, bytesEdit?: (b: Uint8Array, f: GgufFile) => void) {
  let bytes = makeFixtureModel(FIXTURES.q4_0, edit);
  try {
    if (bytesEdit) {
      bytes = bytes.slice();
      bytesEdit(bytes, await readGguf(bytesSource(bytes, 'm.gguf')));
    }
    const f = await readGguf(bytesSource(bytes, 'm.gguf'));
    llamaConfig(f);
    await loadLlamaWeights(f);
    return 'ok';
  } catch (e) {
    const m = (e as Error).message;
    expect(m.length).toBeLessThanOrEqual(MESSAGE_MAX);
    expect(m).not.toMatch(/[\n\u0000-\u001f]/);
    return m;
  }
}

const setMeta =
  (key: string, e: GgufEntry): Edit =>
  (md) => {
    const i = md.findIndex(([k]) => k === key);
    if (i >= 0) md[i] = [key, e];
    else md.push([key, e]);
  };

describe('model files refused at load', () => {
  it('the unedited fixture loads', async () => {
    expect(await load(() => {})).toBe('ok');
  });

  it('ε and the RoPE base must be positive', async () => {
    for (const v of [-1e-5, -1, 0]) {
      expect(await load(setMeta('llama.attention.layer_norm_rms_epsilon', meta.f32(v)))).toMatch(
        /m\.gguf: metadata "llama\.attention\.layer_norm_rms_epsilon" is -?[\d.e-]+ \(a small positive number/,
      );
    }
    for (const v of [0, -10000]) {
      expect(await load(setMeta('llama.rope.freq_base', meta.f32(v)))).toMatch(
        /metadata "llama\.rope\.freq_base" is -?\d+ \(a positive number/,
      );
    }
  });

  it('a duplicate metadata key is refused, not resolved silently', async () => {
    expect(
      await load((md) => {
        md.push(['llama.block_count', meta.u32(1)]);
      }),
    ).toMatch(/metadata "llama\.block_count" appears twice/);
  });

  it('block_count smaller than the blocks in the file', async () => {
    expect(await load(setMeta('llama.block_count', meta.u32(3)))).toMatch(
      /tensor "blk\.3\.[a-z_]+\.weight" is beyond block_count 3/,
    );
  });

  it('a head renamed by one byte is not taken for a tied head', async () => {
    expect(
      await load((_, t) => {
        t.find((x) => x.name === 'output.weight')!.name = 'output.weighX';
      }),
    ).toMatch(/has no tensor "output\.weight" but has "output\.weighX"/);
  });

  it('a tensor the model would ignore is named (e.g. a Qwen2-style q bias)', async () => {
    expect(
      await load((_, t) => {
        t.push({
          name: 'blk.0.attn_q.bias',
          dims: [8],
          type: GgmlType.F32,
          data: new Float32Array(8),
        });
      }),
    ).toMatch(/1 tensor\(s\) the llama model does not use: "blk\.0\.attn_q\.bias"/);
  });

  it('two tensors sharing bytes are refused', async () => {
    const msg = await load(
      () => {},
      (b, f) => {
        // point blk.0.attn_k's data offset at blk.0.attn_q's
        const q = f.tensors.get('blk.0.attn_q.weight')!;
        const name = new TextEncoder().encode('blk.0.attn_k.weight');
        let at = -1;
        for (let i = 0; i < f.dataOffset && at < 0; i++) {
          if (name.every((x, k) => b[i + k] === x)) at = i;
        }
        expect(at).toBeGreaterThan(0);
        // name, n_dims (u32), 2 dims (u64), type (u32), then the offset (u64)
        const offAt = at + name.length + 4 + 16 + 4;
        new DataView(b.buffer).setBigUint64(offAt, BigInt(q.offset - f.dataOffset), true);
      },
    );
    expect(msg).toMatch(
      /tensors "blk\.0\.attn_q\.weight" .* and "blk\.0\.attn_k\.weight" .* overlap/,
    );
  });

  it('NaN and Inf weights are reported with the tensor and block', async () => {
    const patch =
      (tensor: string, byteInTensor: number, bits: number) => (b: Uint8Array, f: GgufFile) => {
        const t = f.tensors.get(tensor)!;
        new DataView(b.buffer).setUint16(t.offset + byteInTensor, bits, true);
      };
    // Q4_0 blocks are 18 bytes, the f16 scale first: block 5's scale NaN
    expect(await load(() => {}, patch('blk.2.ffn_up.weight', 5 * 18, 0x7e00))).toMatch(
      /tensor "blk\.2\.ffn_up\.weight": block 5 \(elements 160…191\) has a NaN scale \(finite weights only\)/,
    );
    // the head has the embedding's type here, Q8_0 (34-byte blocks): block 7's scale +Inf
    expect(await load(() => {}, patch('output.weight', 34 * 7, 0x7c00))).toMatch(
      /tensor "output\.weight": block 7 .* has an infinite scale/,
    );
    // an f32 norm weight holding NaN in its last element
    const f32nan = (b: Uint8Array, f: GgufFile) => {
      const t = f.tensors.get('output_norm.weight')!;
      new DataView(b.buffer).setFloat32(t.offset + t.bytes - 4, NaN, true);
    };
    expect(await load(() => {}, f32nan)).toMatch(/tensor "output_norm\.weight": element 63 is NaN/);
  });

  it('raw bytes read back are the same as before the check', async () => {
    const f = await readGguf(bytesSource(makeFixtureModel(FIXTURES.q4_0), 'm.gguf'));
    const b = await readTensorBytes(f, 'blk.0.attn_q.weight');
    expect(b.length).toBe(f.tensors.get('blk.0.attn_q.weight')!.bytes);
  });
});

describe('messages', () => {
  it('escape control and non-printing characters', () => {
    expect(printable('a\u0000b\u0001c\u007f\u0085d\u202ee\ufeff')).toBe(
      'a\\x00b\\x01c\\x7f\\x85d\\u202ee\\ufeff',
    );
    expect(printable('Grüße – ok ✓ 日本')).toBe('Grüße – ok ✓ 日本');
    expect(quoted('output_norm.weight\u0001')).toBe('"output_norm.weight\\x01"');
  });

  it('are cut to length on whole escapes and kept on one line', () => {
    const long = 'x'.repeat(1000);
    expect(clip(long, 50)).toHaveLength(50);
    expect(clip(long, 50).endsWith('…')).toBe(true);
    // never half an escape
    const c = clip('ab' + '\u0001'.repeat(100), 10);
    expect(c).toMatch(/^ab(\\x01)*…$/);
    expect(oneLine('line one\n  line two')).toBe('line one line two');
    expect(oneLine('y'.repeat(26_000_000)).length).toBe(MESSAGE_MAX);
  });
});
