// The reader on ≥ 2000 corrupted copies of a valid fixture: truncations, flipped bytes, huge
// lengths and counts. Every case ends in a clean GgufError (naming the file) or a correct read;
// never another exception, a hang or an absurd allocation.
import { describe, expect, it } from 'vitest';
import { readGguf, readTensorF32 } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { GgufError } from '../../src/gguf/errors';
import { llamaConfig } from '../../src/model/config';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { mulberry32 } from '../../src/util/random';
import { fixtureBytes } from '../helpers/fixtures';

type Outcome = 'read' | 'error';

async function attempt(bytes: Uint8Array): Promise<Outcome> {
  try {
    const f = await readGguf(bytesSource(bytes, 'fuzz.gguf'));
    llamaConfig(f);
    tokenizerFromGguf(f);
    for (const name of f.tensors.keys()) await readTensorF32(f, name);
    return 'read';
  } catch (e) {
    if (e instanceof GgufError && e.file === 'fuzz.gguf' && e.message.startsWith('fuzz.gguf: '))
      return 'error';
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

  it(`${cases.length} corruptions: each a clean named error or a correct read`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(2000);
    const tally: Record<string, Record<Outcome, number>> = {};
    for (const [kind, make] of cases) {
      const outcome = await attempt(make());
      tally[kind] ??= { read: 0, error: 0 };
      tally[kind][outcome]++;
    }
    console.log('fuzz outcomes', JSON.stringify(tally));
    // every truncation that cuts into the tensor data must be reported, not read
    expect(tally['truncate'].error).toBeGreaterThan(590);
    expect(tally['huge u64'].error).toBeGreaterThan(0);
  }, 120_000);

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
