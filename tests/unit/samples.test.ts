import { describe, expect, it } from 'vitest';
import {
  tokensOf,
  encodePrefix,
  MAX_LINE_CHARS,
  parseSamples,
  sampleTokens,
  SampleError,
  MAX_SET_SAMPLES,
} from '../../src/samples/load';
import { RESULTS_BOUNDS } from '../../src/analysis/results';
import { demoFile } from '../helpers/demo';
import { mulberry32 } from '../../src/util/random';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { fixtureFile } from '../helpers/fixtures';
import { splitOf } from '../../src/cli/common';

const enc = (s: string) => new TextEncoder().encode(s);

describe('sample files', () => {
  it('.txt as one sample, by paragraphs, by lines', () => {
    const t = 'first para\nstill first\n\n\nsecond para\r\n';
    expect(parseSamples('a.txt', enc(t), 'file')).toEqual([
      { source: 'a.txt', text: 'first para\nstill first\n\n\nsecond para' },
    ]);
    expect(parseSamples('a.txt', enc(t), 'paragraphs').map((s) => s.text)).toEqual([
      'first para\nstill first',
      'second para',
    ]);
    expect(parseSamples('a.txt', enc(t), 'lines').map((s) => s.text)).toEqual([
      'first para',
      'still first',
      'second para',
    ]);
  });

  it('.txt by default (auto, the app and the CLIs alike): paragraphs where blank lines are, else lines', () => {
    const t = 'first para\nstill first\n\n\nsecond para\r\n';
    expect(parseSamples('a.txt', enc(t)).map((s) => s.text)).toEqual([
      'first para\nstill first',
      'second para',
    ]);
    // a one-sample-per-line corpus of 10,000 lines: 10,000 samples (it was one in the app)
    const lines = Array.from({ length: 10_000 }, (_, i) => `sample number ${i}`).join('\n');
    const got = parseSamples('corpus.txt', enc(`${lines}\n`));
    expect(got).toHaveLength(10_000);
    expect(got[9999]).toEqual({ source: 'corpus.txt:line 10000', text: 'sample number 9999' });
    expect(splitOf('auto')).toBe('auto');
    // past a set's bound: refused by name, in about a second for 50 MB (not a frozen page)
    const many = `${'x\n'.repeat(MAX_SET_SAMPLES + 1)}`;
    const t0 = performance.now();
    expect(() => parseSamples('huge.txt', enc(many))).toThrow(
      /^huge\.txt: has 100,001 samples; a set holds at most 100,000/,
    );
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(MAX_SET_SAMPLES).toBe(RESULTS_BOUNDS.samplesPerSet);
    expect(() => splitOf('words')).toThrow('--split words: auto, paragraphs, lines, file');
  });

  it('.jsonl with text and with tokens', () => {
    const s = parseSamples('s.jsonl', enc('{"text": "hello"}\n\n{"tokens": [1, 5, 9]}\n'));
    expect(s).toEqual([
      { source: 's.jsonl:1', text: 'hello' },
      { source: 's.jsonl:3', tokens: [1, 5, 9] },
    ]);
  });

  it('.csv and .tsv with a text column, quotes and embedded newlines', () => {
    const csv = 'id,text\n1,"a, b"\n2,"line1\nline2"\n3,\n';
    expect(parseSamples('x.csv', enc(csv)).map((s) => s.text)).toEqual(['a, b', 'line1\nline2']);
    expect(parseSamples('x.tsv', enc('text\tlabel\nhi there\t1\n')).map((s) => s.text)).toEqual([
      'hi there',
    ]);
  });

  it('names the file, the line and what is supported for bad input', () => {
    const bad: [string, string, RegExp][] = [
      ['b.jsonl', '{"text": "ok"}\n{"text": broken}\n', /b\.jsonl: line 2 is not valid JSON/],
      ['b.jsonl', '[1, 2]\n', /line 1 is not a JSON object/],
      ['b.jsonl', '{"txt": "x"}\n', /line 1 has neither a "text" string nor a "tokens" array/],
      ['b.jsonl', '{"tokens": [1, -2]}\n', /non-negative integers/],
      [
        'b.csv',
        'id,body\n1,x\n',
        /b\.csv: has no "text" column in its header \(columns: "id", "body"\)/,
      ],
      ['b.pdf', 'x', /unknown file type "\.pdf"/],
      ['b.txt', '   \n', /b\.txt: is empty/],
    ];
    for (const [name, body, re] of bad) {
      expect(() => parseSamples(name, enc(body))).toThrow(re);
      expect(() => parseSamples(name, enc(body))).toThrow(/supported: \.txt, \.jsonl/);
    }
    expect(() => parseSamples('u.txt', Uint8Array.of(0x68, 0xff, 0xfe))).toThrow(
      /u\.txt: is not valid UTF-8/,
    );
    expect(() => parseSamples('u.txt', Uint8Array.of(0xff))).toThrow(SampleError);
  });
});

describe('sample tokens', () => {
  it('puts BOS first, keeps the start up to max tokens, and uses given ids as they are', async () => {
    const tok = tokenizerFromGguf(await fixtureFile('f32'));
    const full = sampleTokens({ source: 's', text: 'the cat sat on the mat' }, tok);
    expect(full[0]).toBe(tok.bosId);
    expect(sampleTokens({ source: 's', text: 'the cat sat on the mat' }, tok, 3)).toEqual(
      full.slice(0, 3),
    );
    expect(sampleTokens({ source: 's', tokens: [5, 6, 7] }, tok)).toEqual([5, 6, 7]);
    expect(() => sampleTokens({ source: 's:1', tokens: [5, 99999] }, tok)).toThrow(
      /s:1: token id 99999/,
    );
  });
});

describe('bounded work on any input', () => {
  it('tokenizes only a prefix of a long text, with the same first max tokens as the whole', async () => {
    const tok = tokenizerFromGguf(await demoFile());
    const words = 'the river of stone and the light over the hills where we went'.split(' ');
    const r = mulberry32(5);
    const text = Array.from({ length: 30_000 }, () => words[Math.floor(r() * words.length)]).join(
      ' ',
    );
    const seen: number[] = [];
    const spy = { ...tok, encode: (t: string) => (seen.push(t.length), tok.encode(t)) };
    for (const max of [1, 17, 256, 1000]) {
      seen.length = 0;
      const got = sampleTokens({ source: 's', text }, spy, max);
      expect(got).toEqual([tok.bosId, ...tok.encode(text)].slice(0, max));
      // a prefix, not the 330 k characters
      expect(Math.max(...seen)).toBeLessThan(Math.max(64, max * 8) * 4);
    }
    // a text without spaces is cut anywhere and still agrees
    const dense = 'abcdefghij'.repeat(5000);
    expect(encodePrefix(tok, dense, 100).slice(0, 100)).toEqual(tok.encode(dense).slice(0, 100));
  });

  it('tokensOf: each text tokenized once, every max tokens agreeing with sampleTokens', async () => {
    const tok = tokenizerFromGguf(await demoFile());
    let calls = 0;
    const spy = { ...tok, encode: (t: string) => (calls++, tok.encode(t)) };
    const words = 'a lamp unto my feet and a light unto my path'.split(' ');
    const r = mulberry32(9);
    const text = Array.from({ length: 20_000 }, () => words[Math.floor(r() * words.length)]).join(
      ' ',
    );
    const sample = { source: 's', text };
    const first = tokensOf(sample, spy, 256);
    const once = calls;
    expect(once).toBeGreaterThan(0);
    for (const max of [1, 17, 256, 8192, 300]) {
      expect(tokensOf({ source: 'other name, same text', text }, spy, max)).toEqual(
        sampleTokens(sample, tok, max),
      );
    }
    expect(calls, 'no text tokenized again').toBe(once);
    expect(first).toEqual(sampleTokens(sample, tok, 256));
    // a larger max than kept: tokenized again, once
    expect(tokensOf(sample, spy, 9000)).toEqual(sampleTokens(sample, tok, 9000));
    expect(tokensOf(sample, spy, 9000).length).toBe(9000);
    expect(calls).toBeGreaterThan(once);
  });

  it('a 20 MB single-line sample costs what its first max tokens need', async () => {
    const tok = tokenizerFromGguf(await demoFile());
    const big = 'word '.repeat(4_000_000);
    const seen: number[] = [];
    const spy = { ...tok, encode: (t: string) => (seen.push(t.length), tok.encode(t)) };
    for (const [name, bytes] of [
      ['big.txt', enc(big)],
      ['big.jsonl', enc(JSON.stringify({ text: big.slice(0, 15_000_000) }))],
      ['big.csv', enc(`text\n"${big}"\n`)],
    ] as const) {
      seen.length = 0;
      const [s] = parseSamples(name, bytes);
      expect(sampleTokens(s, spy, 256)).toHaveLength(256);
      expect(Math.max(...seen)).toBeLessThan(5000);
    }
  });

  it('refuses deep nesting and overlong .jsonl lines by name, before parsing them', () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => parseSamples('deep.jsonl', enc(`{"text": "ok"}\n${deep(1_000_000)}\n`))).toThrow(
      /^deep\.jsonl: line 2 nests arrays or objects 65 levels deep \(at most 64\)/,
    );
    // 10⁷ deep is 20 M characters: refused by its length
    expect(() => parseSamples('deep.jsonl', enc(deep(10_000_000)))).toThrow(
      /^deep\.jsonl: line 1 is 19\.1 M characters long/,
    );
    // brackets inside strings do not count
    expect(parseSamples('s.jsonl', enc(`{"text": "${'['.repeat(500)}"}`))[0].text).toHaveLength(
      500,
    );
    const long = `{"text": "${'a'.repeat(MAX_LINE_CHARS)}"}`;
    expect(() => parseSamples('long.jsonl', enc(long))).toThrow(
      /^long\.jsonl: line 1 is 16\.0 M characters long \(at most 16 M per line\)/,
    );
  });

  it('messages are one printable line of at most 300 characters that does not contradict itself', () => {
    const msg = (name: string, text: string) => {
      try {
        parseSamples(name, enc(text));
      } catch (e) {
        return (e as Error).message;
      }
      return 'parsed';
    };
    expect(msg('w.csv', ' \v \n \t\n')).toMatch(/^w\.csv: is empty/);
    const header = msg('h.csv', `${'col,'.repeat(5_000_000)}x\n1\n`);
    expect(header.length).toBeLessThanOrEqual(300);
    expect(header).toMatch(
      /^h\.csv: has no "text" column in its header \(columns: "col", .*5000001 in all\)/,
    );
    expect(msg('c.tsv', 'a\u0001b\tc\n1\t2\n')).toMatch(/\(columns: "a\\x01b", "c"\)/);
    const bad = msg('j.jsonl', '{"text": "a"}\n{"text": nope}\n');
    expect(bad).toMatch(/^j\.jsonl: line 2 is not valid JSON: /);
    expect(bad).not.toMatch(/line 1/);
    for (const m of [header, bad]) {
      expect(m).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});
