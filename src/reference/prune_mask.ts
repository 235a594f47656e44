// Reference twin of shaders/prune_mask.wgsl: the metric of each weight in f32, as the kernel forms
// it, and in each row the k smallest entries, ties to the lower column (sorting a row's columns
// by (metric, column) is the rule, stated directly), as bits.

/** How the kernel forms each weight's metric (shaders/prune_mask.wgsl). */
export const PRUNE_MODE = { scaled: 0, random: 1, given: 2 } as const;
export type PruneMode = keyof typeof PRUNE_MODE;

/** N:M semi-structured sparsity: the n smallest of every m consecutive entries of a row. */
export interface NmPattern {
  n: number;
  m: number;
}

/** The kernel's 32-bit PCG hash (u32 arithmetic). */
export function pcg(v: number): number {
  const s = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const w = Math.imul(((s >>> ((s >>> 28) + 4)) ^ s) >>> 0, 277803737) >>> 0;
  return ((w >>> 22) ^ w) >>> 0;
}

/** The f32 metric of every weight of W (O, I) decoded (mode: see the kernel). */
export function pruneKeys(
  mode: PruneMode,
  W: ArrayLike<number>,
  I: number,
  opts: { scale?: ArrayLike<number>; metric?: ArrayLike<number>; seed?: number } = {},
): Float32Array {
  const out = new Float32Array(W.length);
  if (mode === 'given') {
    if (!opts.metric || opts.metric.length !== W.length) throw new Error('prune_mask: no metric');
    out.set(opts.metric);
    return out;
  }
  if (mode === 'random') {
    const h = pcg(opts.seed ?? 0);
    for (let e = 0; e < W.length; e++)
      out[e] = W[e] === 0 ? 0 : ((pcg((e ^ h) >>> 0) >>> 8) + 1) / 16777216;
    return out;
  }
  const scale = opts.scale ? Float32Array.from(opts.scale) : null;
  for (let e = 0; e < W.length; e++) out[e] = Math.abs(W[e]) * (scale ? scale[e % I] : 1);
  return out;
}

/** The mask (1 = pruned) of the k smallest metric values of each row; ties by lower column. */
export function rowMask(metric: ArrayLike<number>, O: number, I: number, k: number): Uint8Array {
  const mask = new Uint8Array(O * I);
  if (k <= 0) return mask;
  const cols = new Uint32Array(I);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) cols[i] = i;
    const row = o * I;
    cols.sort((a, b) => metric[row + a] - metric[row + b] || a - b);
    for (let j = 0; j < Math.min(k, I); j++) mask[row + cols[j]] = 1;
  }
  return mask;
}

/**
 * The mask (1 = pruned) of N:M sparsity: in each row, the n smallest of every m consecutive metric
 * values, ties by lower column (Wanda's reference semi-structured rule). I must be a multiple of m.
 */
export function nmMask(metric: ArrayLike<number>, O: number, I: number, n: number, m: number) {
  if (I % m !== 0) throw new Error(`${n}:${m} sparsity needs rows of a multiple of ${m}, not ${I}`);
  const mask = new Uint8Array(O * I);
  const cols = Array.from({ length: m }, (_, i) => i);
  for (let g = 0; g < (O * I) / m; g++) {
    const e0 = g * m;
    const order = [...cols].sort((a, b) => metric[e0 + a] - metric[e0 + b] || a - b);
    for (let j = 0; j < n; j++) mask[e0 + order[j]] = 1;
  }
  return mask;
}

/** A 0/1 mask as the kernel's bits (element e: bit e & 31 of word e >> 5). */
export function packMask(mask: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(mask.length / 32));
  for (let e = 0; e < mask.length; e++) if (mask[e]) words[e >> 5] |= 1 << (e & 31);
  return words;
}

/** The kernel's bits as a 0/1 mask of n elements. */
export function unpackMask(words: Uint32Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (let e = 0; e < n; e++) mask[e] = (words[e >> 5] >>> (e & 31)) & 1;
  return mask;
}

/**
 * The twin of prune_mask (and, with `pattern`, of prune_mask_nm: k is then ignored): bits of the
 * pruned entries.
 */
export function pruneMask(
  mode: PruneMode,
  W: ArrayLike<number>,
  O: number,
  I: number,
  k: number,
  opts: {
    scale?: ArrayLike<number>;
    metric?: ArrayLike<number>;
    seed?: number;
    pattern?: NmPattern;
  } = {},
): Uint32Array {
  const keys = pruneKeys(mode, W, I, opts);
  const p = opts.pattern;
  return packMask(p ? nmMask(keys, O, I, p.n, p.m) : rowMask(keys, O, I, k));
}
