// SentencePiece BPE by piece scores (GGUF tokenizer model "llama"), as llama.cpp's SPM tokenizer:
// spaces become "▁", one "▁" is prepended (the leading-space rule), the text starts as UTF-8
// characters, and the adjacent pair whose concatenation is a piece with the highest score merges
// first (leftmost on ties). Characters that are no piece fall back to <0xNN> byte tokens.
import { Heap } from './heap';

export interface SpmVocab {
  tokens: string[];
  scores: ArrayLike<number>;
  unkId: number;
  /** prepend "▁" to the text (tokenizer.ggml.add_space_prefix, default true) */
  addSpacePrefix: boolean;
}

interface Sym {
  text: string;
  prev: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  text: string;
}

export class SpmTokenizer {
  private readonly ids = new Map<string, number>();
  private readonly byteIds: number[] = [];

  constructor(private readonly vocab: SpmVocab) {
    vocab.tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    for (let b = 0; b < 256; b++) {
      this.byteIds[b] = this.ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }
  }

  /** Token ids of `text` (no BOS; the caller adds it). */
  encode(text: string): number[] {
    if (text.length === 0) return [];
    const norm = (this.vocab.addSpacePrefix ? ' ' + text : text).replace(/ /g, '▁');
    const chars = Array.from(norm);
    const syms: Sym[] = chars.map((ch, i) => ({
      text: ch,
      prev: i - 1,
      next: i + 1 < chars.length ? i + 1 : -1,
    }));
    const heap = new Heap<Bigram>(
      (a, b) => a.score > b.score || (a.score === b.score && a.left < b.left),
    );
    const tryAdd = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const t = syms[left].text + syms[right].text;
      const id = this.ids.get(t);
      if (id !== undefined) heap.push({ left, right, score: this.vocab.scores[id], text: t });
    };
    for (let i = 0; i + 1 < syms.length; i++) tryAdd(i, i + 1);
    while (heap.size > 0) {
      const bg = heap.pop()!;
      const l = syms[bg.left];
      const r = syms[bg.right];
      // stale: one side was merged away or changed since this bigram was queued
      if (l.next !== bg.right || r.text.length === 0 || l.text + r.text !== bg.text) continue;
      l.text = bg.text;
      r.text = '';
      l.next = r.next;
      if (r.next >= 0) syms[r.next].prev = bg.left;
      tryAdd(l.prev, bg.left);
      tryAdd(bg.left, l.next);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0 && i < syms.length; i = syms[i].next) {
      const s = syms[i];
      const id = this.ids.get(s.text);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const b of new TextEncoder().encode(s.text)) {
        out.push(this.byteIds[b] >= 0 ? this.byteIds[b] : this.vocab.unkId);
      }
    }
    return out;
  }

  /** Text of token ids (byte tokens reassembled into UTF-8, "▁" back to spaces). */
  decode(ids: number[]): string {
    const bytes: number[] = [];
    const enc = new TextEncoder();
    for (const id of ids) {
      const t = this.vocab.tokens[id] ?? '';
      const m = /^<0x([0-9A-F]{2})>$/.exec(t);
      if (m) bytes.push(parseInt(m[1], 16));
      else bytes.push(...enc.encode(t.replace(/▁/g, ' ')));
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  }
}
