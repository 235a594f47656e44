// How a run's samples group into batches for the batched layer walk (batch-walk.ts), shared with the
// memory model: which runs batch, how many samples a batch takes, and each sample's row stride.
import { dims, type LlamaConfig } from '../model/config';
import { metricKind, type Metric } from '../analysis/metrics';

/**
 * The offset alignment a sample's slice of a stacked buffer must keep: WebGPU's default (and
 * largest allowed) minStorageBufferOffsetAlignment, which our devices keep.
 */
export const OFFSET_ALIGN = 256;
/**
 * Rows a batch of the layer walk aims for: 8 samples of 128 tokens. On an H100 (f16 on subgroup
 * matrices, 7B) batches of 8 took 0.132 s per sample against 0.152 in batches of 4 — the linears at
 * 1024 rows, the score's fold over 8 — for 7.50 GiB against 6.63 estimated (bench/results, session
 * 18); a budget too small for it halves the batch (planMemory).
 */
export const BATCH_ROWS = 1024;
/** Samples a batch takes at most. */
export const MAX_BATCH = 8;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Rows each sample of a batch takes: ≥ the batch's longest sample, rounded up so that a slice
 * starting at a multiple of it is aligned in every stacked buffer (row widths C, q, k/v, the FFN,
 * and the heads of the attention's (H, T) statistics).
 */
export function batchStride(c: LlamaConfig, Tmax: number, align = OFFSET_ALIGN): number {
  const { C, F, H, Hkv, Dh } = dims(c);
  let step = 1;
  for (const w of [C, H * Dh, Hkv * Dh, F, H]) {
    const need = align / gcd(align, 4 * w);
    step = (step * need) / gcd(step, need);
  }
  return Math.ceil(Tmax / step) * step;
}

/**
 * Whether a run walks its samples in batches: gradient metrics (the recompute and backward are
 * what batching speeds up), no pairs (pairs recompute members side by side), no pooled hidden
 * states, activations not kept. The saved layer inputs may be on the GPU or in CPU memory (then
 * each batch's slice of a layer is written back when the walk reaches it).
 */
export function walksInBatches(
  req: { pairs: unknown[]; metric?: Metric; pooledHidden?: boolean },
  keepActivations: boolean,
): boolean {
  const grad = metricKind(req.metric ?? 'grad_x_weight').gradient;
  return grad && req.pairs.length === 0 && !req.pooledHidden && !keepActivations;
}

/** The default batch size: as many samples of the longest length as make ≈ BATCH_ROWS rows. */
export function defaultBatch(c: LlamaConfig, lengths: number[]): number {
  const stride = batchStride(c, Math.max(1, ...lengths));
  return Math.max(1, Math.min(MAX_BATCH, lengths.length, Math.floor(BATCH_ROWS / stride)));
}

/** One batch: the run's sample indices (request order) and the rows each takes. */
export interface BatchGroup {
  members: number[];
  stride: number;
}

/** Samples in request order, `B` at a time, each batch with its own stride. */
export function batchGroups(c: LlamaConfig, lengths: number[], B: number): BatchGroup[] {
  const out: BatchGroup[] = [];
  for (let i = 0; i < lengths.length; i += B) {
    const members = Array.from({ length: Math.min(B, lengths.length - i) }, (_, k) => i + k);
    out.push({ members, stride: batchStride(c, Math.max(...members.map((k) => lengths[k]))) });
  }
  return out;
}

/**
 * Rows a forward-only batch aims for (perplexity, Wanda's calibration walk): each linear one GEMM
 * over ≈ 2048 rows, where the matrix linears measured their best rate (bench/results, session 16).
 */
export const STACK_ROWS = 2048;

/**
 * Sequences stacked for forward-only passes: as many of the longest's stride per batch as make
 * ≤ `rows` rows (≥ 1 sample, ≤ MAX_BATCH), and no more rows than keep the widest activation (rows ×
 * the FFN width) within `maxBinding` bytes.
 */
export function stackedGroups(
  c: LlamaConfig,
  lengths: number[],
  rows = STACK_ROWS,
  maxBinding = Infinity,
): BatchGroup[] {
  const stride = batchStride(c, Math.max(...lengths));
  const { C, F, H, Dh } = dims(c);
  const widest = Math.max(C, F, H * Dh);
  const fit = Math.floor(Math.min(rows, maxBinding / (4 * widest)) / stride);
  return batchGroups(c, lengths, Math.max(1, Math.min(MAX_BATCH, fit)));
}

/** Rows of a batch: its samples, `stride` apart. */
export const groupRows = (g: BatchGroup): number => g.members.length * g.stride;

/**
 * Positions a stacked run's RoPE table needs: its longest sample, or its widest batch stride (a
 * batch's RoPE is one dispatch over all its rows, padding included: src/gpu/llama.ts ropeRows).
 */
export const ropeRowsMax = (Tmax: number, groups: BatchGroup[]): number =>
  Math.max(Tmax, ...groups.map((g) => g.stride));

/** One sample's rows in a stacked batch. */
export interface StackedSeq {
  start: number;
  T: number;
}

/** A batch's rows as the stacked ops take them: member b's T rows from row b · stride. */
export function stackedRows(
  g: BatchGroup,
  lengths: number[],
): { rows: number; seqs: StackedSeq[] } {
  const seqs = g.members.map((i, b) => ({ start: b * g.stride, T: lengths[i] }));
  return { rows: groupRows(g), seqs };
}

/** A batch's token ids stacked: member b's from row b · stride; padding rows read token 0. */
export function stackedIds(g: BatchGroup, tokens: (i: number) => ArrayLike<number>): Uint32Array {
  const ids = new Uint32Array(groupRows(g));
  g.members.forEach((i, b) => ids.set(tokens(i), b * g.stride));
  return ids;
}

/**
 * A batch's members as runs of consecutive members of one set (the folded score scores each run
 * in one kernel): each run's first index and length.
 */
export function setRuns(members: { set: number }[]): { first: number; count: number }[] {
  const out: { first: number; count: number }[] = [];
  members.forEach((st, i) => {
    const last = out[out.length - 1];
    if (last && members[i - 1].set === st.set) last.count++;
    else out.push({ first: i, count: 1 });
  });
  return out;
}
