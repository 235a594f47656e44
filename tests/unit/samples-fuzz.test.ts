// Sample files fuzzed: ≥ 1,000 corrupted .txt, .jsonl, .csv and .tsv files (flipped and random
// bytes, truncations, invalid UTF-8, control characters, stray quotes and brackets, deep nesting,
// wrong types) through the parser and the tokenizer. Each ends in samples with tokens or in a
// SampleError naming the file — one printable line of ≤ 300 characters — and each is timed.
import { describe, expect, it } from 'vitest';
import { parseSamples, SampleError, sampleTokens } from '../../src/samples/load';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { mulberry32 } from '../../src/util/random';
import { fixtureFile } from '../helpers/fixtures';

const enc = (s: string) => new TextEncoder().encode(s);

const VALID: Record<string, string> = {
  'a.txt': 'The first line of a sample.\nAnd a second one, with "quotes" and, commas.\n',
  'a.jsonl': '{"text": "one sample"}\n{"tokens": [1, 5, 9]}\n{"text": "three, \\"quoted\\""}\n',
  'a.csv': 'id,text,label\n1,"a, b",x\n2,"line1\nline2",y\n3,plain,z\n',
  'a.tsv': 'text\tlabel\nhi there\t1\nsecond row\t2\n',
};

const INSERTS = [
  '\u0000',
  '\u0001',
  '\u001b[31m',
  '\u202e',
  '"',
  '[[[[',
  '{',
  '}',
  '\n',
  '\r\n',
  '\t',
  ',',
  '\ufeff',
  '{"text": 5}',
  '{"tokens": [-1]}',
  '{"tokens": "x"}',
  '[1,2]',
  'null',
  '\\u00',
];

describe('sample file fuzz', () => {
  it('≥ 1,000 corrupted sample files: samples with tokens, or a clean named error', async () => {
    const tok = tokenizerFromGguf(await fixtureFile('q4_0'));
    const rnd = mulberry32(7);
    const pick = (n: number) => Math.floor(rnd() * n);
    const names = Object.keys(VALID);
    const tally: Record<string, number> = { samples: 0, error: 0 };
    let slowest = 0;
    const N = 1200;
    for (let i = 0; i < N; i++) {
      const name = names[i % names.length];
      let b = enc(VALID[name]);
      switch (pick(5)) {
        case 0: // truncate
          b = b.slice(0, pick(b.length + 1));
          break;
        case 1: // flip bits
          b = b.slice();
          for (let k = 0; k < 1 + pick(4); k++) b[pick(b.length)] ^= 1 << pick(8);
          break;
        case 2: // random bytes (often invalid UTF-8)
          b = b.slice();
          for (let k = 0; k < 1 + pick(8); k++) b[pick(b.length)] = pick(256);
          break;
        case 3: {
          // a character or fragment inserted
          const t = VALID[name];
          const at = pick(t.length + 1);
          b = enc(t.slice(0, at) + INSERTS[pick(INSERTS.length)] + t.slice(at));
          break;
        }
        default: {
          // a long or deep line
          const t = VALID[name];
          const extra = pick(2) ? '['.repeat(50 + pick(100)) : 'x'.repeat(pick(200_000));
          b = enc(`${t}${extra}\n`);
        }
      }
      const t0 = performance.now();
      try {
        const samples = parseSamples(name, b);
        for (const s of samples) {
          try {
            expect(sampleTokens(s, tok, 64).length).toBeGreaterThan(0);
          } catch (e) {
            // a given token id beyond the vocabulary is a named error too
            if (!(e instanceof SampleError)) throw e;
          }
        }
        tally.samples++;
      } catch (e) {
        if (!(e instanceof SampleError)) throw new Error(`not a clean error: ${String(e)}`);
        const m = e.message;
        expect(m.startsWith(`${name}: `), m).toBe(true);
        expect(m.length, m).toBeLessThanOrEqual(300);
        expect(m, m).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
        tally.error++;
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    console.log('sample fuzz outcomes', JSON.stringify(tally), `slowest ${slowest.toFixed(0)} ms`);
    expect(tally.samples + tally.error).toBe(N);
    expect(tally.samples).toBeGreaterThan(100);
    expect(tally.error).toBeGreaterThan(100);
    expect(slowest).toBeLessThan(5000);
  });
});
