// What a run asks for and how it reports, shared by the reference and the GPU backends.
import type { Metric } from '../analysis/metrics';
import type { MatrixName } from '../model/config';
import type { PairResult, SampleResult, SetResult } from '../analysis/results';

/** What both backends return for a request. */
/** Where a run keeps the saved layer inputs. */
export type SavedInputs = 'gpu' | 'cpu';

export interface RunOutput {
  sets: SetResult[];
  pairs: PairResult[];
  /** with `pooledHidden`: per set, per sample, the mean-pooled final normed hidden state (C) */
  pooled?: Float64Array[][];
}

/**
 * What a cancelled run had finished, on the AbortError it throws (`error.partial`): every
 * sample's forward (max logit, its token) and its scores for the layers in `layersDone` (the GPU
 * walk goes from the last layer down; other layers' entries are 0).
 */
export interface PartialRun {
  forwardDone: boolean;
  layersDone: number[];
  samples: (SampleResult & { set: string })[];
}

export interface RunSet {
  name: string;
  samples: { source: string; tokens: number[] }[];
}

export interface PairSpec {
  a: string;
  b: string;
  shift?: number;
  /**
   * explicit pairs instead of the index pairing: pair i is sample index[i][0] of a with sample
   * index[i][1] of b (the STS lab: each distinct sentence is one sample, met by several pairs)
   */
  index?: [number, number][];
}

/** The samples [of set a, of set b] of pair p's i-th sample pair (set b has nb samples). */
export function pairMembers(p: PairSpec, i: number, nb: number): [number, number] {
  return p.index ? p.index[i] : [i, (i + (p.shift ?? 0)) % nb];
}

export interface RunRequest {
  sets: RunSet[];
  /**
   * index pairing: sample i of set a with sample (i + shift) mod n_b of set b, i < min(n_a, n_b);
   * shift 0 is the paper's Fig. 3 pairing; a set with itself takes shift ≥ 1 (no self-pairs)
   */
  pairs: PairSpec[];
  thresholds: number[];
  metric: Metric;
  maxTokens: number;
  /**
   * also return, per sample, its final hidden states after the last norm, mean-pooled over all
   * positions (BOS included): the STS lab's baseline
   */
  pooledHidden?: boolean;
}

export interface Progress {
  stage: 'forward' | 'layer' | 'sample' | 'density' | 'pairs' | 'done';
  set?: string;
  sample?: number;
  samples?: number;
  /** 0-based layer (the GPU backend walks layers from last to first) */
  layer?: number;
  /** 0..1 over the whole run */
  fraction: number;
  /** seconds left, estimated from the pace so far */
  etaSeconds?: number;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /**
   * Each set's per-weight Σ_s A of matrix m at layer l (the engine's row order, (O, I)), once the
   * set's samples are all in; awaited, one matrix at a time (per-parameter scores out).
   */
  onScores?: (set: number, l: number, m: MatrixName, sums: Float32Array) => Promise<void>;
}

/**
 * Every sample pair of `req`'s pairs, in pair order ([set a, i, set b, j]), and the samples that
 * no pair scores ([set, i]): a walk's steps at each layer.
 */
export function pairedSamples(req: Pick<RunRequest, 'sets' | 'pairs'>): {
  pairs: [RunSet, number, RunSet, number][];
  alone: [RunSet, number][];
} {
  const byName = new Map(req.sets.map((s) => [s.name, s]));
  const lengths = checkPairs(req);
  const paired = new Set<string>();
  const pairs: [RunSet, number, RunSet, number][] = [];
  req.pairs.forEach((p, k) => {
    const [a, b] = [byName.get(p.a)!, byName.get(p.b)!];
    for (let i = 0; i < lengths[k]; i++) {
      const [ia, ib] = pairMembers(p, i, b.samples.length);
      paired.add(`${p.a}\u0000${ia}`).add(`${p.b}\u0000${ib}`);
      pairs.push([a, ia, b, ib]);
    }
  });
  const alone = req.sets.flatMap((s) =>
    s.samples
      .map((_, i) => [s, i] as [RunSet, number])
      .filter(([, i]) => !paired.has(`${s.name}\u0000${i}`)),
  );
  return { pairs, alone };
}

/** Checks a request's pairs name existing sets; returns the pairing length of each pair. */
export function checkPairs(req: Pick<RunRequest, 'sets' | 'pairs'>): number[] {
  const byName = new Map(req.sets.map((s) => [s.name, s]));
  return req.pairs.map(({ a, b, shift = 0, index }) => {
    const sa = byName.get(a);
    const sb = byName.get(b);
    if (!sa || !sb)
      throw new Error(
        `pair ${a}:${b} names a set that is not in the run (sets: ${[...byName.keys()].join(', ')})`,
      );
    if (index) return checkIndex(`${a}:${b}`, index, shift, sa.samples.length, sb.samples.length);
    if (!Number.isInteger(shift) || shift < 0)
      throw new Error(`pair ${a}:${b}: shift ${shift} is not a non-negative integer`);
    if (a === b && shift % Math.max(1, sb.samples.length) === 0)
      throw new Error(
        `pair ${a}:${b} with shift ${shift} would pair samples with themselves (a set with itself needs ≥ 2 samples and a shift that is not a multiple of their count)`,
      );
    return Math.min(sa.samples.length, sb.samples.length);
  });
}

/** An explicit pair list must name samples of its two sets, and comes without a shift. */
function checkIndex(
  name: string,
  index: [number, number][],
  shift: number,
  na: number,
  nb: number,
): number {
  if (shift !== 0) throw new Error(`pair ${name}: a shift and an explicit index list, not both`);
  if (index.length === 0) throw new Error(`pair ${name}: an empty index list`);
  index.forEach((ij, k) => {
    const ok =
      Array.isArray(ij) &&
      ij.length === 2 &&
      Number.isInteger(ij[0]) &&
      Number.isInteger(ij[1]) &&
      ij[0] >= 0 &&
      ij[0] < na &&
      ij[1] >= 0 &&
      ij[1] < nb;
    if (!ok)
      throw new Error(
        `pair ${name}: index[${k}] = ${JSON.stringify(ij)} is not [i < ${na}, j < ${nb}] (samples of the two sets)`,
      );
  });
  return index.length;
}
