// Op cases for shaders/prune_mask.wgsl: the pruned entries of each row (the k smallest metric,
// ties to the lower column), bit for bit, under each metric mode; Q4_0 weights give many equal
// |W| in a row (a block holds at most 16 distinct magnitudes), which the tie rule settles.
import * as gpu from '../ops/prune_mask';
import * as ref from '../../reference/prune_mask';
import { dequantize } from '../../gguf/dequant';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { GgmlType } from '../../gguf/types';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

const EXACT = { rel: 1e-12, abs: 1e-45 };

export interface PruneMaskCase {
  type: GgmlType;
  O: number;
  I: number;
  k: number;
  mode: ref.PruneMode;
  seed?: number;
  /** scale 1 (magnitude: Q4_0 rows are full of equal |W|) instead of random column norms */
  magnitude?: boolean;
  /** zero this fraction of the weights first (weights already 0 go first) */
  zeros?: number;
  /** N:M semi-structured instead of k per row (prune_mask_nm) */
  pattern?: ref.NmPattern;
}

function caseBytes(c: PruneMaskCase): Uint8Array {
  const bytes = randomTensorBytes(c.type, c.O * c.I, c.seed ?? 3);
  if (!c.zeros || c.type !== GgmlType.Q8_0) return bytes;
  // Q8_0: q = 0 is an exact 0 (34 bytes per block of 32: f16 d, then 32 int8)
  for (let e = 0; e < c.O * c.I; e += Math.round(1 / c.zeros))
    bytes[(e >> 5) * 34 + 2 + (e & 31)] = 0;
  return bytes;
}

export function pruneMaskCases(c: PruneMaskCase): OpCase[] {
  const n = c.O * c.I;
  const bytes = caseBytes(c);
  const W = dequantize(c.type, bytes, n);
  const scale = Float32Array.from(randomArray(c.I, 11), (v) =>
    c.magnitude ? 1 : Math.abs(v) + 0.01,
  );
  const metric = Float32Array.from(randomArray(n, 12), (v) => Math.round(Math.abs(v) * 8) / 8);
  const seed = c.seed ?? 3;
  return [
    {
      name: `prune_mask ${c.magnitude ? 'magnitude' : c.mode} ${GgmlType[c.type]} (O=${c.O}, I=${c.I}, ${c.pattern ? `${c.pattern.n}:${c.pattern.m}` : `k=${c.k}`})`,
      inputs: { scale, metric },
      weights: { W: { bytes, type: c.type, elements: n } },
      outputs: { mask: gpu.maskWords(n) },
      reference: () => ({
        mask: Float32Array.from(
          ref.unpackMask(
            ref.pruneMask(c.mode, W, c.O, c.I, c.k, { scale, metric, seed, pattern: c.pattern }),
            n,
          ),
        ),
      }),
      gpu: (ctx, enc, b, w) =>
        gpu.pruneMask(ctx, enc, b.mask, w.W, b.scale, b.metric, { ...c, seed }),
      readback: (got) => {
        const words = new Uint32Array(got.mask.buffer, got.mask.byteOffset, got.mask.length);
        return { mask: Float32Array.from(ref.unpackMask(words, n)) };
      },
      tolerance: () => EXACT,
    },
  ];
}

/** The cases the op test and the self-check share. */
export const PRUNE_MASK_CASES: PruneMaskCase[] = [
  { type: GgmlType.Q4_0, O: 5, I: 320, k: 160, mode: 'scaled' },
  { type: GgmlType.Q4_0, O: 3, I: 64, k: 40, mode: 'scaled', seed: 9, magnitude: true },
  { type: GgmlType.Q4_0, O: 4, I: 544, k: 271, mode: 'scaled', magnitude: true },
  { type: GgmlType.Q8_0, O: 4, I: 96, k: 48, mode: 'scaled', zeros: 0.25, magnitude: true },
  { type: GgmlType.F32, O: 6, I: 37, k: 18, mode: 'scaled' },
  { type: GgmlType.F16, O: 3, I: 530, k: 371, mode: 'random' },
  { type: GgmlType.F32, O: 4, I: 300, k: 150, mode: 'given' },
  { type: GgmlType.F32, O: 2, I: 40, k: 0, mode: 'scaled' },
  { type: GgmlType.F32, O: 2, I: 40, k: 40, mode: 'scaled' },
  // N:M: Q4_0 magnitudes full of ties within a group of 4; 4:8 on Wanda's scaled metric; the
  // given and random metrics; more groups than one workgroup holds, rows not a multiple of 256
  {
    type: GgmlType.Q4_0,
    O: 5,
    I: 320,
    k: 0,
    mode: 'scaled',
    magnitude: true,
    pattern: { n: 2, m: 4 },
  },
  { type: GgmlType.Q8_0, O: 9, I: 96, k: 0, mode: 'scaled', zeros: 0.25, pattern: { n: 4, m: 8 } },
  { type: GgmlType.F32, O: 40, I: 136, k: 0, mode: 'given', pattern: { n: 2, m: 4 } },
  { type: GgmlType.F16, O: 3, I: 530, k: 0, mode: 'random', pattern: { n: 1, m: 2 } },
];
