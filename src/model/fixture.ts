// Seeded tiny random Llama models as GGUF file images, for tests (and the CLI's --demo-fixture).
// GQA, odd widths where the tensor type allows, 2–4 layers, a small SentencePiece-style vocab.
import { mulberry32 } from '../util/random';
import { yarnCorrDims, type LlamaConfig } from './config';
import { layerTensors } from './layout';
import { type Architecture } from './config';
import { BYTE_TO_CHAR } from '../tokenizer/bpe';
import { GgmlType, GgufValueType, type GgufEntry } from '../gguf/types';
import { meta, writeGguf, type TensorToWrite } from '../gguf/writer';
import { hasQuantizer } from '../gguf/quantize';
import { randomTensorBytes } from '../gguf/random-blocks';
import { dequantize } from '../gguf/dequant';

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
  /** rope.scaling.type yarn with this factor and original context */
  ropeYarn?: { factor: number; originalContext: number };
  /** rope.scaling.attn_factor */
  ropeAttnFactor?: number;
  eps?: number;
  contextLength?: number;
  name?: string;
  /** qwen2 (biases, RoPE on halves, a byte-level BPE vocabulary) or phi3 (fused tensors) */
  architecture?: Exclude<Architecture, 'llama'>;
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
    ...(o.architecture ? { architecture: o.architecture } : {}),
    embeddingLength: o.width,
    blockCount: o.layers,
    feedForwardLength: o.ffn,
    headCount: o.heads,
    headCountKv: o.kvHeads,
    headDim,
    ropeDims: o.ropeDims ?? headDim,
    ropeFreqBase: Math.fround(o.ropeBase ?? 10000),
    ...(o.ropeLinear ? { ropeFreqScale: 1 / Math.fround(o.ropeLinear) } : {}),
    ...yarnConfig(o, o.ropeDims ?? headDim),
    ...(o.ropeFactors ? { ropeFactors: true } : {}),
    rmsEps: Math.fround(o.eps ?? 1e-5), // stored as f32
    contextLength: o.contextLength ?? 128,
    vocabSize: vocabOf(o).tokens.length,
    tiedHead: o.tiedHead ?? false,
  };
}

/** The config fields of the fixture's YaRN and attention factor (as llamaConfig reads them). */
function yarnConfig(o: FixtureOptions, ropeDims: number): Partial<LlamaConfig> {
  const attn = Math.fround(o.ropeAttnFactor ?? 1);
  if (!o.ropeYarn) return o.ropeAttnFactor ? { ropeMscale: attn } : {};
  const factor = Math.fround(o.ropeYarn.factor);
  const base = Math.fround(o.ropeBase ?? 10000);
  return {
    ropeFreqScale: 1 / factor,
    ropeYarn: { ...yarnCorrDims(ropeDims, o.ropeYarn.originalContext, base), extFactor: 1 },
    ropeMscale: attn * (factor > 1 ? 1 + 0.1 * Math.log(factor) : 1),
  };
}

const vocabOf = (o: FixtureOptions) =>
  o.architecture === 'qwen2' ? fixtureGpt2Vocab(o.vocabSize) : fixtureVocab(o.vocabSize);

/** Draws of the fixture's values, in file order, from one seeded stream. */
function valueSource(seed: number) {
  const rnd = mulberry32(seed);
  const uniform = (n: number, scale: number) =>
    Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  return {
    uniform,
    norm: (n: number) => Float32Array.from({ length: n }, () => 1 + (rnd() * 2 - 1) * 0.2),
    // values uniform in ±scale where the writer can quantize to `type`, else random blocks
    weight: (name: string, type: GgmlType, O: number, I: number, scale: number): TensorToWrite =>
      hasQuantizer(type)
        ? { name, dims: [I, O], type, data: uniform(O * I, scale) }
        : { name, dims: [I, O], type, raw: randomBlocks(type, O * I, seedOf(rnd), scale) },
  };
}

/**
 * The fixture's GGUF image: uniform weights in ±1/√in, norm weights near 1, in the tensor layout
 * of its architecture (src/model/layout.ts); `edit` may change its metadata and tensors first
 * (tests of files that must be refused).
 */
export function makeFixtureModel(
  o: FixtureOptions,
  edit?: (metadata: [string, GgufEntry][], tensors: TensorToWrite[]) => void,
): Uint8Array {
  const c = fixtureConfig(o);
  const v = valueSource(o.seed);
  const C = c.embeddingLength;
  const V = c.vocabSize;
  const embType = o.embeddingType ?? GgmlType.F32;
  const tensors: TensorToWrite[] = [v.weight('token_embd.weight', embType, V, C, 1)];
  for (let l = 0; l < c.blockCount; l++) {
    for (const t of layerTensors(c, l)) {
      if (t.name.endsWith('norm.weight'))
        tensors.push({ ...t, type: GgmlType.F32, data: v.norm(C) });
      else if (t.name.endsWith('.bias'))
        tensors.push({ ...t, type: GgmlType.F32, data: v.uniform(t.dims[0], 0.5) });
      else {
        const [I, O] = t.dims;
        tensors.push(v.weight(t.name, o.matrixType, O, I, 1 / Math.sqrt(I)));
      }
    }
  }
  tensors.push({ name: 'output_norm.weight', dims: [C], type: GgmlType.F32, data: v.norm(C) });
  if (o.ropeFactors)
    tensors.push({
      name: 'rope_freqs.weight',
      dims: [o.ropeFactors.length],
      type: GgmlType.F32,
      data: Float32Array.from(o.ropeFactors),
    });
  if (!c.tiedHead) tensors.push(v.weight('output.weight', embType, V, C, 1 / Math.sqrt(C)));
  const md = [...fixtureMetadata(c, o), ...tokenizerMetadata(o)];
  edit?.(md, tensors);
  return writeGguf(md, tensors);
}

export function fixtureMetadata(c: LlamaConfig, o: FixtureOptions): [string, GgufEntry][] {
  const a = o.architecture ?? 'llama';
  return [
    ['general.architecture', meta.str(a)],
    ['general.name', meta.str(c.name)],
    ['general.alignment', meta.u32(32)],
    [`${a}.context_length`, meta.u32(c.contextLength)],
    [`${a}.embedding_length`, meta.u32(c.embeddingLength)],
    [`${a}.block_count`, meta.u32(c.blockCount)],
    [`${a}.feed_forward_length`, meta.u32(c.feedForwardLength)],
    [`${a}.attention.head_count`, meta.u32(c.headCount)],
    [`${a}.attention.head_count_kv`, meta.u32(c.headCountKv)],
    [`${a}.rope.dimension_count`, meta.u32(c.ropeDims)],
    [`${a}.rope.freq_base`, meta.f32(c.ropeFreqBase)],
    [`${a}.attention.layer_norm_rms_epsilon`, meta.f32(c.rmsEps)],
    ...(o.ropeLinear
      ? ([
          [`${a}.rope.scaling.type`, meta.str('linear')],
          [`${a}.rope.scaling.factor`, meta.f32(o.ropeLinear)],
        ] as [string, GgufEntry][])
      : []),
    ...(o.ropeYarn
      ? ([
          [`${a}.rope.scaling.type`, meta.str('yarn')],
          [`${a}.rope.scaling.factor`, meta.f32(o.ropeYarn.factor)],
          [`${a}.rope.scaling.original_context_length`, meta.u32(o.ropeYarn.originalContext)],
        ] as [string, GgufEntry][])
      : []),
    ...(o.ropeAttnFactor
      ? ([[`${a}.rope.scaling.attn_factor`, meta.f32(o.ropeAttnFactor)]] as [string, GgufEntry][])
      : []),
  ];
}

export function tokenizerMetadata(o: FixtureOptions): [string, GgufEntry][] {
  if (o.architecture === 'qwen2') {
    const g = fixtureGpt2Vocab(o.vocabSize);
    const eos = g.tokens.indexOf('<|endoftext|>');
    return [
      ['tokenizer.ggml.model', meta.str('gpt2')],
      ['tokenizer.ggml.pre', meta.str('qwen2')],
      ['tokenizer.ggml.tokens', meta.arr(GgufValueType.STRING, g.tokens)],
      ['tokenizer.ggml.token_type', meta.arr(GgufValueType.INT32, g.types)],
      ['tokenizer.ggml.merges', meta.arr(GgufValueType.STRING, g.merges)],
      ['tokenizer.ggml.eos_token_id', meta.u32(eos)],
      ['tokenizer.ggml.bos_token_id', meta.u32(eos)],
      ['tokenizer.ggml.add_bos_token', meta.bool(false)],
    ];
  }
  const vocab = fixtureVocab(o.vocabSize);
  return [
    ['tokenizer.ggml.model', meta.str('llama')],
    ['tokenizer.ggml.tokens', meta.arr(GgufValueType.STRING, vocab.tokens)],
    ['tokenizer.ggml.scores', meta.arr(GgufValueType.FLOAT32, vocab.scores)],
    ['tokenizer.ggml.token_type', meta.arr(GgufValueType.INT32, vocab.types)],
    ['tokenizer.ggml.bos_token_id', meta.u32(1)],
    ['tokenizer.ggml.eos_token_id', meta.u32(2)],
    ['tokenizer.ggml.unknown_token_id', meta.u32(0)],
    ['tokenizer.ggml.add_bos_token', meta.bool(true)],
  ];
}

/** Merges of the byte-level fixture vocabulary (GPT-2's Ġ is a space), in rank order. */
const GPT2_MERGES = [
  'Ġ t',
  'h e',
  'i n',
  'Ġ a',
  'e r',
  'o n',
  'Ġt he',
  'r e',
  'a n',
  'e n',
  'Ġ s',
  'Ġ w',
  'n d',
  'Ġ o',
  'i s',
  'i t',
  'e d',
  'Ġ i',
  'o r',
  'in g',
  'Ġ c',
  'a t',
  'Ġ f',
  'Ġ m',
  'Ġ p',
  'Ġ b',
  'a r',
  'a l',
  'l e',
  'o u',
  'Ġo f',
  'Ġa nd',
  'Ġ d',
  'Ġ h',
  'Ġ 1',
  '1 2',
  'Ġ T',
  "' s",
];

/**
 * A byte-level BPE vocabulary (tokenizer model gpt2, as Qwen2 files carry): GPT-2's 256 byte
 * characters, one token per merge, <|endoftext|>, then filler tokens up to `size`.
 */
export function fixtureGpt2Vocab(size = 0): {
  tokens: string[];
  types: Int32Array;
  merges: string[];
} {
  const tokens = [...BYTE_TO_CHAR];
  for (const m of GPT2_MERGES) tokens.push(m.replace(' ', ''));
  tokens.push('<|endoftext|>');
  const types = tokens.map((t) => (t === '<|endoftext|>' ? 3 : 1)); // CONTROL, NORMAL
  for (let i = 0; tokens.length < size; i++) {
    tokens.push(`ĠW${i}`);
    types.push(1);
  }
  return { tokens, types: Int32Array.from(types), merges: GPT2_MERGES };
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
  // K-quant matrices (no exact 0: pruning re-encodes them as F16): rows of 256, C = 256, F = 512
  q4_k: {
    seed: 41,
    layers: 2,
    width: 256,
    ffn: 512,
    heads: 4,
    kvHeads: 2,
    matrixType: GgmlType.Q4_K,
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
  // Qwen2: q, k, v biases, RoPE on halves, a byte-level BPE vocabulary (gpt2, pre qwen2)
  qwen2: {
    seed: 17,
    architecture: 'qwen2',
    layers: 2,
    width: 32,
    ffn: 48,
    heads: 4,
    kvHeads: 2,
    ropeBase: 1_000_000,
    eps: 1e-6,
    matrixType: GgmlType.F32,
    vocabSize: 400,
  },
  // Phi-3: q, k, v fused in attn_qkv, gate and up in ffn_up; RoPE on halves; no GQA
  phi3: {
    seed: 18,
    architecture: 'phi3',
    layers: 2,
    width: 64,
    ffn: 96,
    heads: 4,
    kvHeads: 4,
    matrixType: GgmlType.Q8_0,
  },
};
