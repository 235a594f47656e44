// Pruning a model (the pruning lab, METHOD.md §4): per layer i, the 7 matrices lose ⌊I · S_i⌋
// weights of every row by the method's metric; the pruned matrices are the file's own bytes with
// those weights set to exactly 0 (src/prune/zero.ts), so every later computation — the GPU engine
// included, unchanged — sees the pruned model. Wanda is sequential as in its reference: layer i's
// calibration inputs come from layers < i already pruned; its column norms run over every token of
// every calibration sample, BOS included. The calibration forward runs on the reference backend.
import { readTensorBytes, type GgufFile } from '../gguf/reader';
import { dequantize } from '../gguf/dequant';
import { MATRICES, layerTensorName, matrixShape, type MatrixName } from '../model/config';
import type { LlamaWeights } from '../model/weights';
import { embed, layerForward, layerInputs } from '../reference/llama';
import { prunedPerRow, pruneMetric, rowMask, type PruneMethod } from './select';
import { zeroMasked } from './zero';

export interface PruneRequest {
  method: PruneMethod;
  /** S_i per layer */
  sparsity: number[];
  seed: number;
  /** token sequences (wanda) */
  calibration?: number[][];
}

export interface PruneOutcome {
  /** the pruned matrices' bytes, by tensor name */
  tensors: Map<string, Uint8Array>;
  /** per layer and matrix (q k v o gate up down): rows · ⌊I · S_i⌋ */
  pruned: number[][];
}

/** Prunes `file`'s 7 matrices of every layer; `w` is its weights decoded (reference backend). */
export async function pruneModel(
  file: GgufFile,
  w: LlamaWeights,
  req: PruneRequest,
  onLayer?: (l: number) => void,
): Promise<PruneOutcome> {
  const c = w.config;
  if (req.sparsity.length !== c.blockCount)
    throw new Error(`${req.sparsity.length} sparsities for ${c.blockCount} layers`);
  if (req.method === 'wanda' && !req.calibration?.length)
    throw new Error('wanda needs calibration samples');
  const out: PruneOutcome = { tensors: new Map(), pruned: [] };
  // the pruned model as it grows, layer by layer (matrices replaced once pruned)
  const pruned: LlamaWeights = { ...w, layers: w.layers.map((lw) => ({ ...lw })) };
  let xs = req.method === 'wanda' ? req.calibration!.map((t) => embed(w, t)) : [];
  for (let l = 0; l < c.blockCount; l++) {
    const norms = req.method === 'wanda' ? columnNormsAt(pruned, l, xs, req.calibration!) : null;
    const matrices = { ...pruned.layers[l].matrices };
    out.pruned.push([]);
    for (const [mi, m] of MATRICES.entries()) {
      const { O, I } = matrixShape(c, m);
      const W = w.layers[l].matrices[m];
      const metric = pruneMetric(req.method, W, I, {
        norms: norms?.[m],
        seed: req.seed * 7919 + l * 7 + mi,
      });
      const k = prunedPerRow(I, req.sparsity[l]);
      const mask = rowMask(metric, O, I, k);
      const name = layerTensorName(l, m);
      const info = file.tensors.get(name)!;
      const bytes = zeroMasked(name, info.type, await readTensorBytes(file, name), mask);
      out.tensors.set(name, bytes);
      matrices[m] = dequantize(info.type, bytes, O * I);
      out.pruned[l].push(O * k);
    }
    pruned.layers[l] = { ...pruned.layers[l], matrices };
    if (req.method === 'wanda')
      xs = xs.map((x, s) => layerForward(pruned, l, x, req.calibration![s].length).out);
    onLayer?.(l);
  }
  return out;
}

/** ‖X_k‖₂ of each matrix's input over every token of every sample, layer l on its inputs `xs`. */
function columnNormsAt(
  w: LlamaWeights,
  l: number,
  xs: ArrayLike<number>[],
  tokens: number[][],
): Record<MatrixName, Float64Array> {
  const c = w.config;
  const sq = Object.fromEntries(
    MATRICES.map((m) => [m, new Float64Array(matrixShape(c, m).I)]),
  ) as Record<MatrixName, Float64Array>;
  xs.forEach((x, s) => {
    const T = tokens[s].length;
    const X = layerInputs(layerForward(w, l, x as Float32Array, T));
    for (const m of MATRICES) {
      const I = sq[m].length;
      for (let t = 0; t < T; t++) for (let k = 0; k < I; k++) sq[m][k] += X[m][t * I + k] ** 2;
    }
  });
  for (const m of MATRICES) sq[m] = sq[m].map(Math.sqrt);
  return sq;
}
