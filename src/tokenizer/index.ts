// The tokenizer stored in a GGUF file's metadata.
import { GgufError } from '../gguf/errors';
import type { GgufFile } from '../gguf/reader';
import type { GgufArray } from '../gguf/types';
import { SpmTokenizer } from './spm';
import { BpeTokenizer, PRE_PATTERNS } from './bpe';

export interface Tokenizer {
  kind: 'llama' | 'gpt2';
  vocabSize: number;
  bosId: number;
  eosId: number;
  unkId: number;
  addBos: boolean;
  /** ids of `text`, without BOS */
  encode(text: string): number[];
  decode(ids: number[]): string;
  tokenText(id: number): string;
}

export const SUPPORTED_TOKENIZERS = ['llama', 'gpt2'];

function arrayOf(file: GgufFile, key: string): GgufArray['items'] {
  const v = file.metadata.get(key)?.value;
  if (!v || typeof v !== 'object' || !('items' in v)) {
    throw new GgufError(
      file.source.name,
      `metadata "${key}" is missing or not an array`,
      'a tokenizer stored by llama.cpp',
    );
  }
  return v.items;
}

function idOf(file: GgufFile, key: string, fallback: number, vocabSize: number): number {
  const v = file.metadata.get(key)?.value;
  const id = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
    throw new GgufError(
      file.source.name,
      `metadata "${key}" is ${String(v)}, not a token id below ${vocabSize}`,
    );
  }
  return id;
}

export function tokenizerFromGguf(file: GgufFile): Tokenizer {
  const f = file.source.name;
  const model = file.metadata.get('tokenizer.ggml.model')?.value;
  if (model !== 'llama' && model !== 'gpt2') {
    throw new GgufError(
      f,
      `tokenizer model ${JSON.stringify(model ?? null)} is not supported`,
      'tokenizer models: llama (SentencePiece BPE: Llama-2, TinyLlama, Phi-3), gpt2 (byte-level BPE: Llama-3, Qwen2)',
    );
  }
  const tokens = arrayOf(file, 'tokenizer.ggml.tokens');
  if (!tokens.every((t) => typeof t === 'string')) {
    throw new GgufError(f, 'metadata "tokenizer.ggml.tokens" holds non-strings');
  }
  if (model === 'gpt2') return gpt2Tokenizer(file, tokens as string[]);
  const scores = arrayOf(file, 'tokenizer.ggml.scores');
  if (scores.length !== tokens.length) {
    throw new GgufError(f, `${tokens.length} tokens but ${scores.length} scores`);
  }
  const V = tokens.length;
  const unkId = idOf(file, 'tokenizer.ggml.unknown_token_id', 0, V);
  const bosId = idOf(file, 'tokenizer.ggml.bos_token_id', 1, V);
  const eosId = idOf(file, 'tokenizer.ggml.eos_token_id', 2, V);
  const addBosV = file.metadata.get('tokenizer.ggml.add_bos_token')?.value;
  const prefixV = file.metadata.get('tokenizer.ggml.add_space_prefix')?.value;
  const spm = new SpmTokenizer({
    tokens: tokens as string[],
    scores: scores as ArrayLike<number>,
    unkId,
    addSpacePrefix: prefixV === undefined ? true : prefixV === true,
  });
  return {
    kind: 'llama',
    vocabSize: V,
    bosId,
    eosId,
    unkId,
    addBos: addBosV === undefined ? true : addBosV === true,
    encode: (text) => spm.encode(text),
    decode: (ids) => spm.decode(ids),
    tokenText: (id) => String(tokens[id] ?? `<${id}?>`),
  };
}

function gpt2Tokenizer(file: GgufFile, tokens: string[]): Tokenizer {
  const f = file.source.name;
  const merges = arrayOf(file, 'tokenizer.ggml.merges');
  if (!merges.every((m) => typeof m === 'string')) {
    throw new GgufError(f, 'metadata "tokenizer.ggml.merges" holds non-strings');
  }
  const pre = String(file.metadata.get('tokenizer.ggml.pre')?.value ?? 'default');
  const pattern = PRE_PATTERNS[pre];
  if (!pattern) {
    throw new GgufError(
      f,
      `pre-tokenizer "${pre}" is not supported`,
      `pre-tokenizers: ${Object.keys(PRE_PATTERNS).join(', ')}`,
    );
  }
  const V = tokens.length;
  const bosId = idOf(file, 'tokenizer.ggml.bos_token_id', 0, V);
  const eosId = idOf(file, 'tokenizer.ggml.eos_token_id', 0, V);
  const addBosV = file.metadata.get('tokenizer.ggml.add_bos_token')?.value;
  const bpe = new BpeTokenizer({
    tokens,
    merges: merges as string[],
    pattern,
    ignoreMerges: pre === 'llama-bpe' || pre === 'llama3',
  });
  return {
    kind: 'gpt2',
    vocabSize: V,
    bosId,
    eosId,
    unkId: -1,
    addBos: addBosV === undefined ? true : addBosV === true,
    encode: (text) => bpe.encode(text),
    decode: (ids) => bpe.decode(ids),
    tokenText: (id) => String(tokens[id] ?? `<${id}?>`),
  };
}
