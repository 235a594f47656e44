// Seeded tiny random Llama models as GGUF file images, for tests (and the CLI's --demo-fixture).
// GQA, odd widths where the tensor type allows, 2–4 layers, a small SentencePiece-style vocab.
import { mulberry32 } from '../util/random';
import { MATRICES, matrixShape, layerTensorName, type LlamaConfig } from '../model/config';
import { GgmlType, GgufValueType, type GgufEntry } from './types';
import { meta, writeGguf, type TensorToWrite } from './writer';
import { hasQuantizer } from './quantize';
import { randomTensorBytes } from './random-blocks';
import { dequantize } from './dequant';

export interface FixtureOptions {
  seed: number;
  layers: number;
  /** C */
  width: number;
  /** F */
  ffn: number;
  heads: number;
  kvHeads: number;
  /** type of the 7 matrices of every layer */
  matrixType: GgmlType;
  /** type of token_embd and output (F32 unless given) */
  embeddingType?: GgmlType;
  tiedHead?: boolean;
  ropeDims?: number;
  ropeBase?: number;
  /** rope_freqs.weight: per-pair frequency factors (Llama 3.1's scaling) */
  ropeFactors?: number[];
  /** rope.scaling.type linear with this factor */
  ropeLinear?: number;
  eps?: number;
  contextLength?: number;
  name?: string;
  /** vocabulary size, the pieces padded with filler tokens (default: the 329 of fixtureVocab) */
  vocabSize?: number;
}

/** Pieces after the 3 control and 256 byte tokens, best (highest score) first. */
const PIECES = [
  '▁',
  'e',
  't',
  'a',
  'o',
  'i',
  'n',
  's',
  'h',
  'r',
  'd',
  'l',
  'u',
  'c',
  'm',
  'w',
  'f',
  'g',
  'y',
  'p',
  'b',
  'v',
  'k',
  '.',
  ',',
  'T',
  'I',
  'A',
  '▁t',
  'he',
  'in',
  '▁a',
  'er',
  'on',
  '▁the',
  're',
  'an',
  'at',
  'en',
  '▁s',
  '▁w',
  'nd',
  '▁o',
  'is',
  'it',
  'ed',
  '▁i',
  'es',
  'or',
  'ing',
  '▁of',
  '▁and',
  '▁in',
  '▁to',
  'ou',
  '▁h',
  '▁b',
  '▁c',
  '▁f',
  '▁m',
  '▁p',
  '▁d',
  'ar',
  'al',
  'le',
  '▁is',
  '▁that',
  '▁T',
  '▁I',
  '▁A',
];

/** A `llama` (SentencePiece) vocabulary: <unk>, <s>, </s>, <0x00>…<0xFF>, then PIECES. */
export function fixtureVocab(size = 0): {
  tokens: string[];
  scores: Float32Array;
  types: Int32Array;
} {
  const pieces = [...PIECES];
  for (let i = 0; pieces.length + 259 < size; i++) pieces.push(`▁w${i}`);
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // UNKNOWN, CONTROL, CONTROL
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // BYTE
  }
  const scores = new Float32Array(tokens.length + pieces.length);
  pieces.forEach((p, i) => {
    tokens.push(p);
    types.push(1); // NORMAL
    scores[tokens.length - 1] = -i;
  });
  return { tokens, scores, types: Int32Array.from(types) };
}

export function fixtureConfig(o: FixtureOptions): LlamaConfig {
  const headDim = o.width / o.heads;
  return {
    name: o.name ?? 'fixture',
    embeddingLength: o.width,
    blockCount: o.layers,
    feedForwardLength: o.ffn,
    headCount: o.heads,
    headCountKv: o.kvHeads,
    headDim,
    ropeDims: o.ropeDims ?? headDim,
    ropeFreqBase: Math.fround(o.ropeBase ?? 10000),
    ...(o.ropeLinear ? { ropeFreqScale: 1 / Math.fround(o.ropeLinear) } : {}),
    ...(o.ropeFactors ? { ropeFactors: true } : {}),
    rmsEps: Math.fround(o.eps ?? 1e-5), // stored as f32
    contextLength: o.contextLength ?? 128,
    vocabSize: fixtureVocab(o.vocabSize).tokens.length,
    tiedHead: o.tiedHead ?? false,
  };
}

/** Writes a tiny Llama GGUF: uniform weights in ±1/√in, norm weights near 1. */
/**
 * The fixture's GGUF image; `edit` may change its metadata and tensors first (tests of files that
 * must be refused).
 */
export function makeFixtureModel(
  o: FixtureOptions,
  edit?: (metadata: [string, GgufEntry][], tensors: TensorToWrite[]) => void,
): Uint8Array {
  const c = fixtureConfig(o);
  const vocab = fixtureVocab(o.vocabSize);
  const rnd = mulberry32(o.seed);
  const uniform = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  const norm = (n: number) => Float32Array.from({ length: n }, () => 1 + (rnd() * 2 - 1) * 0.2);
  const C = c.embeddingLength;
  const V = c.vocabSize;
  const embType = o.embeddingType ?? GgmlType.F32;
  // values uniform in ±scale where the writer can quantize to `type`, else random blocks
  const weight = (name: string, type: GgmlType, O: number, I: number, scale: number) =>
    hasQuantizer(type)
      ? { name, dims: [I, O], type, data: uniform(O * I, scale) }
      : { name, dims: [I, O], type, raw: randomBlocks(type, O * I, seedOf(rnd), scale) };
  const tensors: TensorToWrite[] = [weight('token_embd.weight', embType, V, C, 1)];
  for (let l = 0; l < c.blockCount; l++) {
    tensors.push({
      name: `blk.${l}.attn_norm.weight`,
      dims: [C],
      type: GgmlType.F32,
      data: norm(C),
    });
    for (const m of MATRICES) {
      const { O, I } = matrixShape(c, m);
      tensors.push(weight(layerTensorName(l, m), o.matrixType, O, I, 1 / Math.sqrt(I)));
    }
    tensors.push({
      name: `blk.${l}.ffn_norm.weight`,
      dims: [C],
      type: GgmlType.F32,
      data: norm(C),
    });
  }
  tensors.push({ name: 'output_norm.weight', dims: [C], type: GgmlType.F32, data: norm(C) });
  if (o.ropeFactors)
    tensors.push({
      name: 'rope_freqs.weight',
      dims: [o.ropeFactors.length],
      type: GgmlType.F32,
      data: Float32Array.from(o.ropeFactors),
    });
  if (!c.tiedHead) {
    tensors.push(weight('output.weight', embType, V, C, 1 / Math.sqrt(C)));
  }
  const md: [string, GgufEntry][] = [
    ['general.architecture', meta.str('llama')],
    ['general.name', meta.str(c.name)],
    ['general.alignment', meta.u32(32)],
    ['llama.context_length', meta.u32(c.contextLength)],
    ['llama.embedding_length', meta.u32(C)],
    ['llama.block_count', meta.u32(c.blockCount)],
    ['llama.feed_forward_length', meta.u32(c.feedForwardLength)],
    ['llama.attention.head_count', meta.u32(c.headCount)],
    ['llama.attention.head_count_kv', meta.u32(c.headCountKv)],
    ['llama.rope.dimension_count', meta.u32(c.ropeDims)],
    ['llama.rope.freq_base', meta.f32(c.ropeFreqBase)],
    ['llama.attention.layer_norm_rms_epsilon', meta.f32(c.rmsEps)],
    ...(o.ropeLinear
      ? ([
          ['llama.rope.scaling.type', meta.str('linear')],
          ['llama.rope.scaling.factor', meta.f32(o.ropeLinear)],
        ] as [string, GgufEntry][])
      : []),
    ['tokenizer.ggml.model', meta.str('llama')],
    ['tokenizer.ggml.tokens', meta.arr(GgufValueType.STRING, vocab.tokens)],
    ['tokenizer.ggml.scores', meta.arr(GgufValueType.FLOAT32, vocab.scores)],
    ['tokenizer.ggml.token_type', meta.arr(GgufValueType.INT32, vocab.types)],
    ['tokenizer.ggml.bos_token_id', meta.u32(1)],
    ['tokenizer.ggml.eos_token_id', meta.u32(2)],
    ['tokenizer.ggml.unknown_token_id', meta.u32(0)],
    ['tokenizer.ggml.add_bos_token', meta.bool(true)],
  ];
  edit?.(md, tensors);
  return writeGguf(md, tensors);
}

const seedOf = (rnd: () => number) => Math.floor(rnd() * 2 ** 31);

/**
 * Random valid blocks of a type the writer cannot quantize to (Q4_1, Q5_x, the K-quants), their
 * block scales set so that the weights' root mean square is that of uniform values in ±scale.
 */
function randomBlocks(t: GgmlType, n: number, seed: number, scale: number): Uint8Array {
  const rms = (b: Uint8Array) => {
    const x = dequantize(t, b, n);
    return Math.sqrt(x.reduce((s, v) => s + v * v, 0) / n);
  };
  const probe = rms(randomTensorBytes(t, n, seed, 1));
  return randomTensorBytes(t, n, seed, scale / Math.sqrt(3) / probe);
}

/** The fixtures every test tier uses: one per tensor type the writer makes. */
export const FIXTURES: Record<string, FixtureOptions> = {
  // odd widths: C = 24 (H = 4 → Dh = 6), F = 40; GQA 4:2; only F32/F16 allow rows ≠ 32k
  f32: { seed: 11, layers: 3, width: 24, ffn: 40, heads: 4, kvHeads: 2, matrixType: GgmlType.F32 },
  f16: {
    seed: 12,
    layers: 2,
    width: 24,
    ffn: 40,
    heads: 4,
    kvHeads: 2,
    matrixType: GgmlType.F16,
    embeddingType: GgmlType.F16,
    tiedHead: true,
  },
  // quantized: rows must be multiples of 32: C = 64 (H = 4, Dh = 16), F = 96; GQA 4:1
  q8_0: {
    seed: 13,
    layers: 2,
    width: 64,
    ffn: 96,
    heads: 4,
    kvHeads: 1,
    matrixType: GgmlType.Q8_0,
  },
  q4_0: {
    seed: 14,
    layers: 4,
    width: 64,
    ffn: 96,
    heads: 4,
    kvHeads: 2,
    matrixType: GgmlType.Q4_0,
    embeddingType: GgmlType.Q8_0,
    ropeDims: 8,
  },
  // Llama 3.1's RoPE: frequency factors (rope_freqs.weight) and linear scaling on top; GQA 4:1
  rope: {
    seed: 16,
    layers: 2,
    width: 32,
    ffn: 48,
    heads: 4,
    kvHeads: 1,
    matrixType: GgmlType.F32,
    ropeFactors: [1, 1.5, 4, 8],
    ropeLinear: 2,
  },
};
