import { describe, expect, it } from 'vitest';
import { parseSamples, sampleTokens, SampleError } from '../../src/samples/load';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { fixtureFile } from '../helpers/fixtures';

const enc = (s: string) => new TextEncoder().encode(s);

describe('sample files', () => {
  it('.txt as one sample, by paragraphs, by lines', () => {
    const t = 'first para\nstill first\n\n\nsecond para\r\n';
    expect(parseSamples('a.txt', enc(t))).toEqual([
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
      ['b.csv', 'id,body\n1,x\n', /b\.csv: has no "text" column \(columns: id, body\)/],
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
