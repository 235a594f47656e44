// A Llama's configuration read from GGUF metadata (src/model/config.ts), every field bounded and
// named when wrong, and the file's tensors checked against it: every tensor the model reads
// present with its shape, none it would ignore.
import { quoted } from '../util/message';
import { GgufError } from '../gguf/errors';
import { GgmlType } from '../gguf/types';
import type { GgufFile } from '../gguf/reader';
import { layerTensors } from './layout';
import {
  ROPE_FREQS,
  SUPPORTED_ARCHITECTURES,
  yarnCorrDims,
  type Architecture,
  type LlamaConfig,
} from './config';

function num(file: GgufFile, key: string, fallback?: number): number {
  const e = file.metadata.get(key);
  if (e === undefined) {
    if (fallback !== undefined) return fallback;
    throw new GgufError(
      file.source.name,
      `metadata ${quoted(key)} is missing`,
      'Llama GGUF files from llama.cpp',
    );
  }
  const v = Number(e.value);
  if (!Number.isFinite(v) || typeof e.value === 'string' || typeof e.value === 'object') {
    throw new GgufError(
      file.source.name,
      `metadata ${quoted(key)} is ${quoted(String(e.value))}, not a number`,
    );
  }
  return v;
}

function positiveInt(file: GgufFile, key: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0 || v > 1 << 24) {
    throw new GgufError(file.source.name, `metadata ${quoted(key)} is ${v}`, 'a positive integer');
  }
  return v;
}

export function llamaConfig(file: GgufFile): LlamaConfig {
  const f = file.source.name;
  const arch = file.metadata.get('general.architecture')?.value;
  if (typeof arch !== 'string') {
    throw new GgufError(
      f,
      'metadata "general.architecture" is missing',
      `architectures: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
    );
  }
  if (!(SUPPORTED_ARCHITECTURES as string[]).includes(arch)) {
    throw new GgufError(
      f,
      `architecture ${quoted(arch)} is not supported`,
      `architectures: llama (Llama-2/3, Mistral, TinyLlama, SmolLM2, CodeLlama), qwen2 (Qwen2, Qwen2.5), phi3 (Phi-3)`,
    );
  }
  const p = (k: string, fb?: number) =>
    positiveInt(file, `${arch}.${k}`, num(file, `${arch}.${k}`, fb));
  const C = p('embedding_length');
  const H = p('attention.head_count');
  const Hkv = p('attention.head_count_kv', H);
  if (C % H !== 0)
    throw new GgufError(f, `embedding_length ${C} is not a multiple of head_count ${H}`);
  if (H % Hkv !== 0)
    throw new GgufError(f, `head_count ${H} is not a multiple of head_count_kv ${Hkv}`);
  const headDim = C / H;
  const ropeDims = p('rope.dimension_count', headDim);
  if (ropeDims > headDim || ropeDims % 2 !== 0) {
    throw new GgufError(
      f,
      `rope.dimension_count ${ropeDims} with head dimension ${headDim}`,
      'an even count ≤ the head dimension',
    );
  }
  const embd = file.tensors.get('token_embd.weight');
  if (!embd)
    throw new GgufError(f, 'has no tensor "token_embd.weight"', 'Llama GGUF files from llama.cpp');
  const vocabFromTensor = embd.dims[1];
  const vocabSize = positiveInt(
    file,
    `${arch}.vocab_size`,
    num(file, `${arch}.vocab_size`, vocabFromTensor),
  );
  const context = p('context_length', 2048);
  const ropeBase = positive(
    file,
    `${arch}.rope.freq_base`,
    10000,
    'a positive number (10000 for Llama-2)',
  );
  const cfg: LlamaConfig = {
    name: String(file.metadata.get('general.name')?.value ?? f),
    ...(arch !== 'llama' ? { architecture: arch as Exclude<Architecture, 'llama'> } : {}),
    embeddingLength: C,
    blockCount: p('block_count'),
    feedForwardLength: p('feed_forward_length'),
    headCount: H,
    headCountKv: Hkv,
    headDim,
    ropeDims,
    ropeFreqBase: ropeBase,
    rmsEps: positive(
      file,
      `${arch}.attention.layer_norm_rms_epsilon`,
      1e-5,
      'a small positive number, e.g. 1e-5 or 1e-6',
      1,
    ),
    contextLength: Math.min(context, slidingWindow(file, arch) ?? context),
    vocabSize,
    tiedHead: !file.tensors.has('output.weight'),
    ...ropeScaling(file, arch, ropeDims, ropeBase, context),
  };
  checkTensorShapes(file, cfg);
  checkEveryTensorUsed(file, cfg);
  return cfg;
}

/** The RoPE scalings computed, for the refusals of the others. */
const ROPE_SCALINGS =
  'no scaling, linear, YaRN, and Llama 3.1 frequency factors (rope_freqs.weight)';

/**
 * Phi-3's sliding attention window: sequences up to it attend to every earlier token, as ours do;
 * it caps the context so that no longer sequence runs.
 */
function slidingWindow(file: GgufFile, arch: string): number | undefined {
  const key = `${arch}.attention.sliding_window`;
  if (!file.metadata.has(key)) return undefined;
  const w = num(file, key);
  return w > 0 ? positiveInt(file, key, w) : undefined;
}

/**
 * RoPE scaling as llama.cpp reads it: `rope.scaling.type` (absent: linear) with
 * `rope.scaling.factor` (or the older `rope.scale_linear`) → angles × 1 / factor; `none` → no
 * scaling; `yarn` → YaRN as llama.cpp computes it for these architectures (ext factor 1, β 32
 * and 1, `rope.scaling.original_context_length`, cos and sin × 1 + 0.1 ln factor); a
 * `rope.scaling.attn_factor` multiplies cos and sin; LongRoPE and YaRN's log multiplier
 * (DeepSeek's) are refused by name; Llama 3.1's frequency factors come as rope_freqs.weight.
 */
function ropeScaling(
  file: GgufFile,
  arch: string,
  ropeDims: number,
  base: number,
  context: number,
): Pick<LlamaConfig, 'ropeFreqScale' | 'ropeFactors' | 'ropeYarn' | 'ropeMscale'> {
  const key = (k: string) => `${arch}.rope.scaling.${k}`;
  const typeEntry = file.metadata.get(key('type'))?.value;
  const type = typeEntry === undefined ? 'linear' : String(typeEntry);
  if (type !== 'linear' && type !== 'none' && type !== 'yarn')
    throw new GgufError(
      file.source.name,
      `RoPE scaling ${quoted(type)} (metadata ${quoted(key('type'))}) is not supported`,
      ROPE_SCALINGS,
    );
  if (type === 'yarn' && file.metadata.has(key('yarn_log_multiplier')))
    throw new GgufError(
      file.source.name,
      `YaRN with a log multiplier (metadata ${quoted(key('yarn_log_multiplier'))}) is not supported`,
      ROPE_SCALINGS,
    );
  const fkey = file.metadata.has(key('factor')) ? key('factor') : `${arch}.rope.scale_linear`;
  const factor = file.metadata.has(fkey) ? positive(file, fkey, 1, 'a positive factor') : 1;
  const attn = positive(file, key('attn_factor'), 1, 'a positive factor');
  const out: Pick<LlamaConfig, 'ropeFreqScale' | 'ropeFactors' | 'ropeYarn' | 'ropeMscale'> = {};
  if (type !== 'none' && factor !== 1) out.ropeFreqScale = 1 / factor;
  if (type === 'yarn') {
    const orig = positive(file, key('original_context_length'), context, 'a positive length');
    out.ropeYarn = { ...yarnCorrDims(ropeDims, orig, base), extFactor: 1 };
    out.ropeMscale = attn * (factor > 1 ? 1 + 0.1 * Math.log(factor) : 1);
  } else if (attn !== 1) out.ropeMscale = attn;
  if (file.tensors.has(ROPE_FREQS)) out.ropeFactors = true;
  return out;
}

/** A metadata number that must be > 0 (and below `below` when given); `fallback` when absent. */
function positive(
  file: GgufFile,
  key: string,
  fallback: number,
  supported: string,
  below = Infinity,
): number {
  const v = num(file, key, fallback);
  if (!(v > 0 && v < below))
    throw new GgufError(file.source.name, `metadata ${quoted(key)} is ${v}`, supported);
  return v;
}

/** The names of every tensor a model of config `c` reads. */
export function llamaTensorNames(c: LlamaConfig): string[] {
  const names = ['token_embd.weight', 'output_norm.weight'];
  if (!c.tiedHead) names.push('output.weight');
  if (c.ropeFactors) names.push(ROPE_FREQS);
  for (let l = 0; l < c.blockCount; l++) names.push(...layerTensors(c, l).map((t) => t.name));
  return names;
}

/**
 * Every tensor of the file is one the model reads: a tensor we would ignore (RoPE frequency
 * factors, biases, a layer beyond block_count, a misspelt head) would make every score silently
 * wrong, so it is refused by name.
 */
function checkEveryTensorUsed(file: GgufFile, c: LlamaConfig): void {
  const used = new Set(llamaTensorNames(c));
  const unused = [...file.tensors.keys()].filter((n) => !used.has(n));
  if (unused.length === 0) return;
  const f = file.source.name;
  const beyond = unused.find(
    (n) => /^blk\.(\d+)\./.exec(n) && Number(/^blk\.(\d+)\./.exec(n)![1]) >= c.blockCount,
  );
  if (beyond) {
    throw new GgufError(
      f,
      `tensor ${quoted(beyond)} is beyond block_count ${c.blockCount}`,
      'block_count equal to the blocks in the file',
    );
  }
  const head = c.tiedHead
    ? unused.find((n) => n.startsWith('output') && n !== 'output_norm.weight')
    : undefined;
  if (head) {
    throw new GgufError(
      f,
      `has no tensor "output.weight" but has ${quoted(head)}`,
      'an output.weight, or none and no other output tensor for a tied head',
    );
  }
  const longRope = unused.find((n) => n.startsWith('rope_factors_'));
  if (longRope) {
    throw new GgufError(
      f,
      `has ${quoted(longRope)}: LongRoPE (Phi-3 128k) is not supported`,
      ROPE_SCALINGS,
    );
  }
  const list = unused
    .slice(0, 3)
    .map((n) => quoted(n, 40))
    .join(', ');
  throw new GgufError(
    f,
    `${unused.length} tensor(s) the ${c.architecture ?? 'llama'} model does not use: ${list}${unused.length > 3 ? ', …' : ''}`,
    'files with token_embd, output_norm, output and the tensors llama.cpp reads for each block, nothing else',
  );
}

/** Every tensor the model needs exists with the shape the config implies. */
function checkTensorShapes(file: GgufFile, c: LlamaConfig): void {
  const want = (name: string, dims: number[]) => {
    const t = file.tensors.get(name);
    if (!t)
      throw new GgufError(
        file.source.name,
        `has no tensor ${quoted(name)}`,
        'Llama GGUF files from llama.cpp',
      );
    if (t.dims.join(',') !== dims.join(',')) {
      throw new GgufError(
        file.source.name,
        `tensor ${quoted(name)} has shape [${t.dims.join(', ')}], expected [${dims.join(', ')}] from the metadata`,
      );
    }
  };
  const C = c.embeddingLength;
  want('token_embd.weight', [C, c.vocabSize]);
  want('output_norm.weight', [C]);
  if (!c.tiedHead) want('output.weight', [C, c.vocabSize]);
  if (c.ropeFactors) {
    want(ROPE_FREQS, [c.ropeDims / 2]);
    if (file.tensors.get(ROPE_FREQS)!.type !== GgmlType.F32)
      throw new GgufError(file.source.name, `tensor "${ROPE_FREQS}" is not F32`, 'F32 factors');
  }
  for (let l = 0; l < c.blockCount; l++) {
    for (const t of layerTensors(c, l)) want(t.name, t.dims);
  }
}
