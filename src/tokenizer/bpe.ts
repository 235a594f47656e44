// Byte-level BPE (GGUF tokenizer model "gpt2", as in Llama-3 files): the text is split by the
// pre-tokenizer's pattern, each piece's UTF-8 bytes are mapped to GPT-2's printable characters,
// and merges apply by rank, lowest first. With `ignoreMerges` (Llama-3), a piece that is itself
// in the vocabulary is one token.
import { Heap } from './heap';

/** Pre-tokenizer patterns by `tokenizer.ggml.pre`. JS has no (?i:…), so 's etc. are spelled out. */
const CONTRACTIONS_I = "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]";
export const PRE_PATTERNS: Record<string, RegExp> = {
  'llama-bpe': new RegExp(
    `${CONTRACTIONS_I}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
    'gu',
  ),
  // Qwen2: Llama-3's pattern with one digit per piece
  qwen2: new RegExp(
    `${CONTRACTIONS_I}|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+`,
    'gu',
  ),
  default: /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu,
};
PRE_PATTERNS.llama3 = PRE_PATTERNS['llama-bpe'];
PRE_PATTERNS.gpt2 = PRE_PATTERNS.default;

/** GPT-2's byte → printable character table. */
export const BYTE_TO_CHAR: string[] = (() => {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = String.fromCodePoint(keep.includes(b) ? b : 256 + extra++);
  }
  return table;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

export interface BpeVocab {
  tokens: string[];
  /** "left right" per merge, in rank order */
  merges: string[];
  pattern: RegExp;
  ignoreMerges: boolean;
}

export class BpeTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly enc = new TextEncoder();

  constructor(private readonly vocab: BpeVocab) {
    vocab.tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    vocab.merges.forEach((m, r) => {
      if (!this.ranks.has(m)) this.ranks.set(m, r);
    });
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of text.match(this.vocab.pattern) ?? []) {
      const word = Array.from(this.enc.encode(piece), (b) => BYTE_TO_CHAR[b]).join('');
      let ids = this.cache.get(word);
      if (!ids) {
        ids = this.word(word);
        if (this.cache.size < 50_000) this.cache.set(word, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  private word(word: string): number[] {
    const whole = this.ids.get(word);
    if (this.vocab.ignoreMerges && whole !== undefined) return [whole];
    const parts = Array.from(word);
    const prev = parts.map((_, i) => i - 1);
    const next = parts.map((_, i) => (i + 1 < parts.length ? i + 1 : -1));
    const heap = new Heap<{ rank: number; left: number; text: string }>(
      (a, b) => a.rank < b.rank || (a.rank === b.rank && a.left < b.left),
    );
    const push = (l: number) => {
      const r = l >= 0 ? next[l] : -1;
      if (l < 0 || r < 0) return;
      const rank = this.ranks.get(`${parts[l]} ${parts[r]}`);
      if (rank !== undefined) heap.push({ rank, left: l, text: parts[l] + parts[r] });
    };
    for (let i = 0; i + 1 < parts.length; i++) push(i);
    while (heap.size > 0) {
      const m = heap.pop()!;
      const r = next[m.left];
      if (parts[m.left] === '' || r < 0 || parts[m.left] + parts[r] !== m.text) continue;
      parts[m.left] = m.text;
      parts[r] = '';
      next[m.left] = next[r];
      if (next[r] >= 0) prev[next[r]] = m.left;
      push(prev[m.left]);
      push(m.left);
    }
    const ids: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) {
      const id = this.ids.get(parts[i]);
      if (id === undefined)
        throw new Error(`byte-level BPE: "${parts[i]}" is not in the vocabulary`);
      ids.push(id);
    }
    return ids;
  }

  decode(ids: number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      for (const ch of this.vocab.tokens[id] ?? '') {
        const b = CHAR_TO_BYTE.get(ch);
        if (b !== undefined) bytes.push(b);
        else bytes.push(...this.enc.encode(ch));
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
