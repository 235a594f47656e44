// The windowed perplexity protocol (src/engine/eval-windows.ts): texts joined by a blank line,
// tokenized once with BOS at the very start only, cut into ⌊n / W⌋ windows of W tokens; token-id
// samples joined as given; bad windows and too-short sets refused by name.
import { describe, expect, it } from 'vitest';
import { evalWindows, defaultWindow } from '../../src/engine/eval-windows';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { fixtureFile } from '../helpers/fixtures';

const TEXTS = ['the cat sat on the mat', 'in the beginning was the word', 'a dog ran home'];

describe('perplexity windows', () => {
  it('cut the joined text into whole windows, BOS only at the start', async () => {
    const tok = tokenizerFromGguf(await fixtureFile('q8_0'));
    const samples = TEXTS.map((text, i) => ({ source: `s${i}`, text }));
    const all = [tok.bosId, ...tok.encode(TEXTS.join('\n\n'))];
    const W = 5;
    const w = evalWindows(samples, tok, W, 64);
    expect(w).toHaveLength(Math.floor(all.length / W));
    expect(w.flatMap((x) => x.tokens)).toEqual(all.slice(0, w.length * W));
    expect(w[0].tokens[0]).toBe(tok.bosId);
    // (the text's own ids hold no BOS: the windows after the first start mid-text)
    expect(all.indexOf(tok.bosId, 1)).toBe(-1);
    expect(w.map((x) => x.source)).toEqual(w.map((_, k) => `window ${k + 1}/${w.length}`));
    expect(defaultWindow(4096)).toBe(2048);
    expect(defaultWindow(512)).toBe(512);
  });

  it('join token-id samples as given', async () => {
    const tok = tokenizerFromGguf(await fixtureFile('q8_0'));
    const w = evalWindows(
      [
        { source: 'a', tokens: [1, 5, 6] },
        { source: 'b', tokens: [7, 8, 9, 10] },
      ],
      tok,
      3,
      64,
    );
    expect(w.map((x) => x.tokens)).toEqual([
      [1, 5, 6],
      [7, 8, 9],
    ]);
  });

  it('refuse a window outside [2, context], a set shorter than one window, mixed sets', async () => {
    const tok = tokenizerFromGguf(await fixtureFile('q8_0'));
    const s = [{ source: 'a', text: 'the cat sat' }];
    expect(() => evalWindows(s, tok, 1, 64)).toThrow(
      "a perplexity window of 1 tokens: needs an integer from 2 to the model's context 64",
    );
    expect(() => evalWindows(s, tok, 65, 64)).toThrow(/from 2 to the model's context 64/);
    expect(() => evalWindows(s, tok, 60, 64)).toThrow(/tokens joined: fewer than one window of 60/);
    expect(() => evalWindows([...s, { source: 'b', tokens: [1, 2] }], tok, 2, 64)).toThrow(
      'windows join texts or token ids, not both in one set',
    );
  });
});
