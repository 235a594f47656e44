// The SentencePiece BPE tokenizer against an independent implementation of the real Llama-2
// vocabulary (npm llama-tokenizer-js, test-only oracle), on ≥ 200 strings.
import { describe, expect, it } from 'vitest';
import oracle from 'llama-tokenizer-js';
import { SpmTokenizer } from '../../src/tokenizer/spm';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { TOKENIZER_STRINGS as STRINGS } from '../helpers/tokenizer-strings';
import { fixtureFile } from '../helpers/fixtures';

/**
 * Llama-2's vocabulary with SentencePiece scores, as a GGUF "llama" tokenizer holds it. The
 * oracle ships the vocabulary and the merge list that Hugging Face's converter derived from
 * those scores (merges ordered by the merged piece's score), so each piece's score is minus the
 * rank of the first merge that makes it. (Whitespace runs such as "▁▁" come last, as in the
 * original model, where their score is −1e9.) Pieces no merge makes score 0.
 */
function llama2Vocab() {
  const tokens = oracle.vocabById;
  const scores = new Float32Array(tokens.length);
  for (const [pair, rank] of oracle.merges) {
    const id = oracle.vocabByString.get(pair.replace(' ', ''));
    if (id !== undefined && scores[id] === 0) scores[id] = -rank;
  }
  return new SpmTokenizer({ tokens, scores, unkId: 0, addSpacePrefix: true });
}

describe('SentencePiece BPE on the real Llama-2 vocabulary', () => {
  const spm = llama2Vocab();

  it(`gives the oracle's ids on all ${STRINGS.length} strings`, () => {
    expect(STRINGS.length).toBeGreaterThanOrEqual(200);
    const differ: string[] = [];
    for (const s of STRINGS) {
      const want = s === '' ? [] : oracle.encode(s, false, true);
      const got = spm.encode(s);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        differ.push(`${JSON.stringify(s)}: got [${got}], oracle [${want}]`);
      }
    }
    expect(differ, differ.slice(0, 5).join('\n')).toEqual([]);
  });

  it('known ids: "Hello world" is ▁Hello ▁world', () => {
    expect(spm.encode('Hello world')).toEqual([15043, 3186]);
  });

  it('falls back to <0xNN> byte tokens for characters outside the vocabulary', () => {
    // U+1F642 is F0 9F 99 82; <0xNN> has id NN + 3
    const ids = spm.encode('🙂');
    expect(ids.slice(-4)).toEqual([0xf0 + 3, 0x9f + 3, 0x99 + 3, 0x82 + 3]);
  });

  it('decodes back to the text (after the leading space; a literal ▁ comes back as a space)', () => {
    for (const s of STRINGS.filter((x) => !x.includes('▁'))) {
      expect(spm.decode(spm.encode(s))).toBe(s === '' ? '' : ' ' + s);
    }
  });
});

describe('tokenizer from GGUF metadata', () => {
  it('reads the fixture vocabulary with its special ids', async () => {
    const t = tokenizerFromGguf(await fixtureFile('f32'));
    expect(t.kind).toBe('llama');
    expect([t.unkId, t.bosId, t.eosId, t.addBos]).toEqual([0, 1, 2, true]);
    const ids = t.encode('the cat');
    expect(ids.map((i) => t.tokenText(i))).toEqual(['▁the', '▁c', 'at']);
    expect(t.decode(ids)).toBe(' the cat');
  });
});
