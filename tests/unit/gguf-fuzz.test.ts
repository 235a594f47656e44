// The reader, the config, the tokenizer and the weight loader on ≥ 10,000 corrupted copies of a
// valid fixture, in every region: header, metadata, tensor infos, values, data (NaN/Inf scales),
// duplicate keys and tensors, overlapping tensors. Every case ends in a clean GgufError (naming
// the file, one printable line of ≤ 300 characters) or a correct read; never another exception,
// a hang (each case is timed) or an absurd allocation.
import { describe, expect, it } from 'vitest';
import { readGguf, readTensorF32 } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { GgufError } from '../../src/gguf/errors';
import { llamaConfig } from '../../src/model/read-config';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { mulberry32 } from '../../src/util/random';
import { fixtureBytes } from '../helpers/fixtures';
import { FIXTURES, makeFixtureModel } from '../../src/model/fixture';
import { BLOCK, GgmlType, GgufValueType } from '../../src/gguf/types';

type Outcome = 'read' | 'error';

async function attempt(bytes: Uint8Array): Promise<Outcome> {
  try {
    const f = await readGguf(bytesSource(bytes, 'fuzz.gguf'));
    llamaConfig(f);
    tokenizerFromGguf(f);
    for (const name of f.tensors.keys()) await readTensorF32(f, name);
    return 'read';
  } catch (e) {
    const m = (e as Error)?.message ?? '';
    if (e instanceof GgufError && e.file === 'fuzz.gguf' && m.startsWith('fuzz.gguf: ')) {
      if (m.length > 300 || /[\u0000-\u001f\u007f-\u009f]/.test(m))
        throw new Error(`unreadable message: ${JSON.stringify(m.slice(0, 400))}`);
      return 'error';
    }
    throw new Error(`not a clean error: ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

describe('GGUF reader fuzz', () => {
  const good = fixtureBytes('q4_0');
  const rnd = mulberry32(99);
  const pick = (n: number) => Math.floor(rnd() * n);
  // the first 12 KB hold the header, the metadata (vocabulary) and the tensor table: where the
  // lengths and counts live
  const headerEnd = Math.min(good.length, 12000);

  const cases: [string, () => Uint8Array][] = [];
  for (let i = 0; i < 600; i++) {
    cases.push(['truncate', () => good.slice(0, pick(good.length))]);
  }
  for (let i = 0; i < 800; i++) {
    cases.push([
      'flip bytes',
      () => {
        const b = good.slice();
        const n = 1 + pick(4);
        for (let k = 0; k < n; k++) b[pick(headerEnd)] ^= 1 << pick(8);
        return b;
      },
    ]);
  }
  const HUGE = [0xffffffffffffffffn, 1n << 60n, 1n << 40n, 1n << 32n, 0x7fffffffn];
  for (let i = 0; i < 500; i++) {
    cases.push([
      'huge u64',
      () => {
        const b = good.slice();
        const at = pick(headerEnd - 8);
        new DataView(b.buffer).setBigUint64(at, HUGE[pick(HUGE.length)], true);
        return b;
      },
    ]);
  }
  for (let i = 0; i < 300; i++) {
    cases.push([
      'random bytes anywhere',
      () => {
        const b = good.slice();
        const at = pick(b.length - 16);
        for (let k = 0; k < 16; k++) b[at + k] = pick(256);
        return b;
      },
    ]);
  }

  // where the tensor table and data lie, to aim at them
  const layout = readGguf(bytesSource(good, 'good.gguf'));
  type Aimed = [string, (f: Awaited<typeof layout>) => Uint8Array];
  const aimed: Aimed[] = [];
  for (let i = 0; i < 2500; i++) {
    aimed.push([
      'NaN/Inf scale or element',
      (f) => {
        const b = good.slice();
        const ts = [...f.tensors.values()];
        const t = ts[pick(ts.length)];
        const bl = BLOCK[t.type]!;
        const at = t.offset + pick(t.bytes / bl.bytes) * bl.bytes;
        const dv = new DataView(b.buffer);
        if (t.type === GgmlType.F32) dv.setFloat32(at, [NaN, Infinity, -Infinity][pick(3)], true);
        else
          dv.setUint16(
            t.type === GgmlType.Q6_K ? at + 208 : at,
            [0x7e00, 0x7c00, 0xfc00][pick(3)],
            true,
          );
        return b;
      },
    ]);
  }
  for (let i = 0; i < 2500; i++) {
    aimed.push([
      'tensor table bytes',
      (f) => {
        const b = good.slice();
        const start = Math.max(24, f.dataOffset - 48 * f.tensors.size);
        b[start + pick(f.dataOffset - start)] = pick(256);
        return b;
      },
    ]);
  }
  // a number in the metadata changed in place (the fixture's keys below hold u32 or f32 values)
  const KEYS = [
    'llama.block_count',
    'llama.embedding_length',
    'llama.feed_forward_length',
    'llama.attention.head_count',
    'llama.attention.head_count_kv',
    'llama.rope.dimension_count',
    'llama.rope.freq_base',
    'llama.attention.layer_norm_rms_epsilon',
    'llama.context_length',
    'tokenizer.ggml.bos_token_id',
  ];
  const VALUES = [0, -1, 1, 2, 3, 7, 1e-30, 1e30, NaN, Infinity, 65536, 2 ** 31];
  const keyEnd = (k: string) => {
    const name = new TextEncoder().encode(k);
    for (let at = 32; at < headerEnd; at++) {
      if (good[at - 8] === name.length && name.every((c, n) => good[at + n] === c))
        return at + name.length;
    }
    throw new Error(`fixture has no metadata ${k}`);
  };
  for (let i = 0; i < 2200; i++) {
    aimed.push([
      'metadata value',
      () => {
        const b = good.slice();
        const dv = new DataView(b.buffer);
        const at = keyEnd(KEYS[pick(KEYS.length)]);
        const v = VALUES[pick(VALUES.length)];
        if (dv.getUint32(at, true) === GgufValueType.FLOAT32) dv.setFloat32(at + 4, v, true);
        else dv.setUint32(at + 4, Number.isFinite(v) ? Math.floor(v) >>> 0 : 0xffffffff, true);
        return b;
      },
    ]);
  }
  for (let i = 0; i < 600; i++) {
    aimed.push([
      'duplicates and overlaps',
      (f) => {
        if (i % 3 === 0) {
          return makeFixtureModel(FIXTURES.q4_0, (md) => {
            md.splice(pick(md.length), 0, md[pick(md.length)]);
          });
        }
        if (i % 3 === 1) {
          return makeFixtureModel(FIXTURES.q4_0, (_, ts) => {
            ts.splice(pick(ts.length), 0, { ...ts[pick(ts.length)] });
          });
        }
        // one tensor's data offset set to another's
        const b = good.slice();
        const ts = [...f.tensors.values()];
        const [x, y] = [ts[pick(ts.length)], ts[pick(ts.length)]];
        const end = keyEnd(x.name);
        const offAt = end + 4 + 8 * x.dims.length + 4;
        new DataView(b.buffer).setBigUint64(offAt, BigInt(y.offset - f.dataOffset), true);
        return b;
      },
    ]);
  }

  it(`${cases.length + aimed.length} corruptions: each a clean named error or a correct read`, async () => {
    expect(cases.length + aimed.length).toBeGreaterThanOrEqual(10_000);
    const f = await layout;
    const all: [string, () => Uint8Array][] = [
      ...cases,
      ...aimed.map(([k, make]): [string, () => Uint8Array] => [k, () => make(f)]),
    ];
    const tally: Record<string, Record<Outcome, number>> = {};
    let slowest = 0;
    for (const [kind, make] of all) {
      const t0 = performance.now();
      const outcome = await attempt(make());
      slowest = Math.max(slowest, performance.now() - t0);
      tally[kind] ??= { read: 0, error: 0 };
      tally[kind][outcome]++;
    }
    console.log('fuzz outcomes', JSON.stringify(tally), `slowest case ${slowest.toFixed(0)} ms`);
    // every truncation that cuts into the tensor data must be reported, not read
    expect(tally['truncate'].error).toBeGreaterThan(590);
    expect(tally['huge u64'].error).toBeGreaterThan(0);
    // a non-finite weight is never read, nor a duplicate key or tensor, nor an overlap
    expect(tally['NaN/Inf scale or element'].read).toBe(0);
    expect(tally['duplicates and overlaps'].error).toBeGreaterThan(0);
    // each case is bounded (it takes milliseconds; a hang would take seconds) and memory too
    expect(slowest).toBeLessThan(5000);
    expect(process.memoryUsage().rss).toBeLessThan(3 * 2 ** 30);
  }, 300_000);

  it('specific bad files get specific messages', async () => {
    const b = good.slice();
    const err = async (bytes: Uint8Array) => {
      try {
        await readGguf(bytesSource(bytes, 'bad.gguf'));
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(await err(new Uint8Array(10))).toMatch(/bad\.gguf: only 10 bytes: too short/);
    const wrongMagic = b.slice();
    wrongMagic.set([0x50, 0x4b, 3, 4]);
    expect(await err(wrongMagic)).toMatch(/not a GGUF file: starts with "PK\\x03\\x04"/);
    const v9 = b.slice();
    new DataView(v9.buffer).setUint32(4, 9, true);
    expect(await err(v9)).toMatch(/GGUF version 9 is not supported \(GGUF versions 2 and 3\)/);
    const manyTensors = b.slice();
    new DataView(manyTensors.buffer).setBigUint64(8, 1n << 60n, true);
    expect(await err(manyTensors)).toMatch(/tensor count \d+ cannot fit|larger than any real file/);
    const manyKv = b.slice();
    new DataView(manyKv.buffer).setBigUint64(16, 1n << 50n, true);
    expect(await err(manyKv)).toMatch(/metadata count 1125899906842624 cannot fit/);
    expect(await err(good.slice(0, good.length - 100))).toMatch(
      /runs past the end of the file .*truncated/,
    );
  });
});
