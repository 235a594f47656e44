// Pruning a model (the pruning lab, docs/METHOD.md §4): per layer i, the 7 matrices lose ⌊I · S_i⌋
// weights of every row by the method's metric; the pruned matrices are the file's own bytes with
// those weights set to exactly 0 (src/prune/zero.ts), so every later computation sees the pruned
// model. Wanda is sequential as in its reference: layer i's calibration inputs come from layers
// < i already pruned, layer i itself unpruned; its column norms run over every token of every
// calibration sample, BOS included. The score method ranks by the calibration samples' Σ A =
// Σ |W ⊙ ∂D/∂W| on the dense model. This file is the reference backend (the CPU, through
// src/reference); src/prune/gpu.ts is the same walk on the GPU.
import type { GgufFile } from '../gguf/reader';
import { matrixSource, readMatrixBytes } from '../model/layout';
import { dequantize } from '../gguf/dequant';
import type { GgmlType } from '../gguf/types';
import {
  MATRICES,
  layerTensorName,
  matrixShape,
  type LlamaConfig,
  type MatrixName,
} from '../model/config';
import type { LlamaWeights } from '../model/weights';
import { embed, layerForward, layerInputs, llamaScores } from '../reference/llama';
import { colsumsqAdd } from '../reference/colnorm';
import { pruneMask } from '../reference/prune_mask';
import { MODE_OF, prunedPerRow, pruneKind, type PruneMethod } from './select';
import type { NmPattern } from '../reference/prune_mask';
import { checkZeroable, prunedTensor, type PrunedTensor } from './zero';

export interface PruneRequest {
  method: PruneMethod;
  /** S_i per layer */
  sparsity: number[];
  seed: number;
  /** token sequences (wanda, score) */
  calibration?: number[][];
  /**
   * N:M semi-structured sparsity (2:4, 4:8): in every row the n smallest of each m consecutive
   * weights, so every S_i is n/m; absent: unstructured, ⌊I·S_i⌋ per row
   */
  pattern?: NmPattern;
}

export interface PruneOutcome {
  /** the pruned matrices (their type: the file's, or F16 where it has no exact 0), by tensor name */
  tensors: Map<string, PrunedTensor>;
  /** per layer and matrix (q k v o gate up down): rows · ⌊I · S_i⌋ */
  pruned: number[][];
}

/** Norms per matrix input: ‖X_k‖₂ over every calibration token (wanda). */
export type ColumnNorms = Record<MatrixName, Float32Array>;

/** Refuses a request the model cannot take, by name, before anything is pruned. */
export function checkPruneRequest(
  c: LlamaConfig,
  req: PruneRequest,
  typeOf: (l: number, m: MatrixName) => GgmlType,
): void {
  if (req.sparsity.length !== c.blockCount)
    throw new Error(`${req.sparsity.length} sparsities for ${c.blockCount} layers`);
  for (const s of req.sparsity)
    if (!(s >= 0 && s < 1)) throw new Error(`sparsity ${s}: each S_i must be in [0, 1)`);
  if (req.pattern) checkPattern(c, req.pattern, req.sparsity);
  if (pruneKind(req.method).calibration && !req.calibration?.length)
    throw new Error(`${req.method} needs calibration samples`);
  for (let l = 0; l < c.blockCount; l++)
    for (const m of MATRICES) {
      checkZeroable(matrixSource(c, l, m).tensor, typeOf(l, m));
    }
}

/** N:M in 1…8 with n < m, every S_i n/m, every matrix's rows a multiple of m: else named. */
function checkPattern(c: LlamaConfig, p: NmPattern, sparsity: number[]): void {
  const ok = (x: number, lo: number, hi: number) => Number.isInteger(x) && x >= lo && x <= hi;
  if (!ok(p.m, 2, 8) || !ok(p.n, 1, p.m - 1))
    throw new Error(`${p.n}:${p.m} sparsity: N:M with M in 2…8 and N in 1…M−1 (e.g. 2:4, 4:8)`);
  if (sparsity.some((s) => s !== p.n / p.m))
    throw new Error(
      `${p.n}:${p.m} sparsity prunes ${p.n}/${p.m} of every row: each S_i must be ${p.n / p.m}`,
    );
  for (const m of MATRICES) {
    const { I } = matrixShape(c, m);
    if (I % p.m !== 0)
      throw new Error(
        `${p.n}:${p.m} sparsity: ${m} rows have ${I} weights, not a multiple of ${p.m}`,
      );
  }
}

/** The seed of matrix mi of layer l's random metric. */
export const matrixSeed = (seed: number, l: number, mi: number): number =>
  (seed * 7919 + l * 7 + mi) >>> 0;

/** The mask bits of one matrix (the reference twin of the GPU's prune_mask dispatch). */
export function matrixMask(
  c: LlamaConfig,
  req: PruneRequest,
  l: number,
  mi: number,
  W: ArrayLike<number>,
  opts: { norms?: ColumnNorms; score?: ArrayLike<number> },
): { bits: Uint32Array; k: number } {
  const m = MATRICES[mi];
  const { O, I } = matrixShape(c, m);
  const k = prunedPerRow(I, req.sparsity[l]);
  const bits = pruneMask(MODE_OF[req.method], W, O, I, k, {
    scale: pruneKind(req.method).inputNorms ? opts.norms![m] : undefined,
    metric: opts.score,
    seed: matrixSeed(req.seed, l, mi),
    pattern: req.pattern,
  });
  return { bits, k };
}

/** Prunes `file`'s 7 matrices of every layer; `w` is its weights decoded (reference backend). */
export async function pruneModel(
  file: GgufFile,
  w: LlamaWeights,
  req: PruneRequest,
  onLayer?: (l: number) => void,
): Promise<PruneOutcome> {
  const c = w.config;
  checkPruneRequest(c, req, (l, m) => file.tensors.get(matrixSource(c, l, m).tensor)!.type);
  const out: PruneOutcome = { tensors: new Map(), pruned: [] };
  const kind = pruneKind(req.method);
  const scores = kind.scores ? calibrationScores(w, req.calibration!) : null;
  // the pruned model as it grows, layer by layer (matrices replaced once pruned)
  const pruned: LlamaWeights = { ...w, layers: w.layers.map((lw) => ({ ...lw })) };
  let xs = kind.inputNorms ? req.calibration!.map((t) => embed(w, t)) : [];
  for (let l = 0; l < c.blockCount; l++) {
    const norms = kind.inputNorms ? columnNormsAt(pruned, l, xs, req.calibration!) : undefined;
    const matrices = { ...pruned.layers[l].matrices };
    out.pruned.push([]);
    for (const [mi, m] of MATRICES.entries()) {
      const { O, I } = matrixShape(c, m);
      const W = w.layers[l].matrices[m];
      const { bits, k } = matrixMask(c, req, l, mi, W, { norms, score: scores?.[l][m] });
      // the matrix's rows in the engine's order (Qwen2's and Phi-3's q, k rows reordered, Phi-3's
      // fused tensors split): export.ts writes them back in the file's layout
      const name = layerTensorName(l, m);
      const src = await readMatrixBytes(file, c, l, m);
      const t = prunedTensor(src.tensor, src.type, src.bytes, bits, O * I);
      out.tensors.set(name, t);
      matrices[m] = dequantize(t.type, t.bytes, O * I);
      out.pruned[l].push(O * k);
    }
    pruned.layers[l] = { ...pruned.layers[l], matrices };
    if (kind.inputNorms)
      xs = xs.map((x, s) => layerForward(pruned, l, x, req.calibration![s].length).out);
    onLayer?.(l);
  }
  return out;
}

/** Σ over the samples of A = |W ⊙ ∂D/∂W| per layer and matrix, summed in f32 as the GPU does. */
function calibrationScores(
  w: LlamaWeights,
  samples: number[][],
): Record<MatrixName, Float32Array>[] {
  const c = w.config;
  const acc = Array.from(
    { length: c.blockCount },
    () =>
      Object.fromEntries(
        MATRICES.map((m) => [m, new Float32Array(matrixShape(c, m).O * matrixShape(c, m).I)]),
      ) as Record<MatrixName, Float32Array>,
  );
  for (const tokens of samples) {
    const { grads } = llamaScores(w, tokens);
    for (let l = 0; l < c.blockCount; l++)
      for (const m of MATRICES) {
        const [a, W, g] = [acc[l][m], w.layers[l].matrices[m], grads[l][m]];
        for (let e = 0; e < a.length; e++) a[e] += Math.abs(W[e] * g[e]);
      }
  }
  return acc;
}

/** ‖X_k‖₂ of each matrix's input over every token of every sample, layer l on its inputs `xs`. */
function columnNormsAt(
  w: LlamaWeights,
  l: number,
  xs: ArrayLike<number>[],
  tokens: number[][],
): ColumnNorms {
  const c = w.config;
  const sq = Object.fromEntries(
    MATRICES.map((m) => [m, new Float32Array(matrixShape(c, m).I)]),
  ) as ColumnNorms;
  xs.forEach((x, s) => {
    const T = tokens[s].length;
    const X = layerInputs(layerForward(w, l, x as Float32Array, T));
    for (const m of MATRICES) colsumsqAdd(sq[m], X[m], T, sq[m].length);
  });
  for (const m of MATRICES) sq[m] = sq[m].map(Math.sqrt);
  return sq;
}

/**
 * The dense model's column norms at each layer in turn (OWL's outlier ratios, reference backend):
 * the calibration states carried through the unpruned layers.
 */
export async function referenceDenseNorms(
  w: LlamaWeights,
  calibration: number[][],
  each: (l: number, norms: ColumnNorms) => Promise<void>,
): Promise<void> {
  let xs = calibration.map((t) => embed(w, t));
  for (let l = 0; l < w.config.blockCount; l++) {
    await each(l, columnNormsAt(w, l, xs, calibration));
    xs = xs.map((x, s) => layerForward(w, l, x, calibration[s].length).out);
  }
}

/** `w` with its 7 matrices of every layer decoded from `tensors` (the reference's pruned model). */
export function withPrunedTensors(
  file: GgufFile,
  w: LlamaWeights,
  tensors: Map<string, PrunedTensor>,
): LlamaWeights {
  return {
    ...w,
    layers: w.layers.map((lw, l) => {
      const matrices = { ...lw.matrices };
      for (const m of MATRICES) {
        const name = layerTensorName(l, m);
        const { O, I } = matrixShape(w.config, m);
        const t = tensors.get(name)!;
        matrices[m] = dequantize(t.type, t.bytes, O * I);
      }
      return { ...lw, matrices };
    }),
  };
}
