// Per-parameter scores as safetensors (docs/scores-format.md): for every scored tensor of the
// model, under its GGUF name and in its own shape and row order, the per-weight Σ_s A over a set's
// samples as F32. Matrices that share a tensor (Phi-3's attn_qkv and ffn_up) fill its row blocks;
// q and k rows read in NeoX order (Qwen2, Phi-3) go back to the file's order.
import { MATRICES, matrixShape, type LlamaConfig, type MatrixName } from '../model/config';
import { matrixSource, toFileRowOrder } from '../model/layout';
import { buildHeader, type SafeHeader } from './safetensors';

export const SCORES_SCHEMA = 'paramscope.scores/1';
/** The tool that writes them (a scores file's `tool`). */
export const TOOL = 'paramscope 0.1.0';

/** The scored tensors of a model, layer by layer, each as (rows, I): safetensors' order. */
export function scoredTensors(c: LlamaConfig): { name: string; shape: [number, number] }[] {
  const out: { name: string; shape: [number, number] }[] = [];
  for (let l = 0; l < c.blockCount; l++) {
    const seen = new Map<string, [number, number]>();
    for (const m of MATRICES) {
      const { O, I } = matrixShape(c, m);
      const s = matrixSource(c, l, m);
      const have = seen.get(s.tensor);
      if (have) have[0] = Math.max(have[0], s.row + O);
      else {
        const shape: [number, number] = [s.row + O, I];
        seen.set(s.tensor, shape);
        out.push({ name: s.tensor, shape });
      }
    }
  }
  return out;
}

/** What a scores file says about itself (all strings, as safetensors' metadata must be). */
export interface ScoresMeta {
  set: string;
  model: string;
  /** the model file's content key (src/cache/keys.ts modelKey: size and SHA-256 of its first MiB) */
  modelKey: string;
  metric: string;
  samples: number;
  maxTokens: number;
  /** SHA-256 of the samples' token ids (src/cache/keys.ts tokenIdsHash) */
  tokenIds: string;
  tool: string;
}

export function scoresHeader(
  c: LlamaConfig,
  meta: ScoresMeta,
): { bytes: Uint8Array; header: SafeHeader } {
  return buildHeader(scoredTensors(c), {
    schema: SCORES_SCHEMA,
    set: meta.set,
    model: meta.model,
    model_key: meta.modelKey,
    metric: meta.metric,
    samples: String(meta.samples),
    max_tokens: String(meta.maxTokens),
    token_ids_sha256: meta.tokenIds,
    tool: meta.tool,
    values: 'sum over the samples of A per weight; mean = sum / samples',
  });
}

/** Where matrix m of layer l goes in a scores file: one positioned write of its sums. */
export function matrixWrite(
  c: LlamaConfig,
  header: SafeHeader,
  l: number,
  m: MatrixName,
  sums: Float32Array,
): { position: number; data: Float32Array } {
  const { O, I } = matrixShape(c, m);
  if (sums.length !== O * I)
    throw new Error(`scores of ${m} at layer ${l}: ${sums.length} values, expected ${O * I}`);
  const s = matrixSource(c, l, m);
  const t = header.tensors.find((x) => x.name === s.tensor);
  if (!t) throw new Error(`internal: no tensor ${s.tensor} in the scores header`);
  return {
    position: header.dataStart + t.offsets[0] + s.row * I * 4,
    data: toFileRowOrder(c, m, sums),
  };
}
