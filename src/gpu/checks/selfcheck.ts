// The engine self-check the app runs on open: every op the engine runs (the forward, the
// backward, the score and head kernels), on the kernels the app picks for this adapter, against
// its TypeScript twin — on the browser's own WebGPU. Sizes are small and off the workgroup
// multiples; the weights are Q8_0, the demo model's type.
import type { GpuContext } from '../runtime/context';
import { checkOp, type OpCase, type OpCheckResult } from './opcheck';
import { addBiasCase, addCases } from '../cases/add';
import { attentionCases } from '../cases/attention';
import { colnormCases } from '../cases/colnorm';
import { PRUNE_MASK_CASES, pruneMaskCases } from '../cases/prune_mask';
import { densityCases } from '../cases/density';
import { embeddingCases } from '../cases/embedding';
import { headCases } from '../cases/head';
import { linearCases } from '../cases/linear';
import { rmsnormCases } from '../cases/rmsnorm';
import { ropeCases } from '../cases/rope';
import { scoreCases } from '../cases/score';
import { swigluCases } from '../cases/swiglu';
import { GgmlType } from '../../gguf/types';
import { randomArray } from '../../util/random';
import { F32_OP } from '../../util/tolerances';

/**
 * The engine's ops: embedding, a layer's forward and backward, the score, the density, the head,
 * the pruning lab's mask (on Q4_0 rows full of ties).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function engineCases(): OpCase<any>[] {
  const logits = randomArray(50, 3);
  logits[41] = logits[17] = 9; // a tie: the lower index wins
  return [
    ...embeddingCases(GgmlType.Q8_0, 11, 64, [3, 0, 10, 3, 7]),
    ...rmsnormCases(5, 70),
    ...linearCases(GgmlType.Q8_0, { T: 5, I: 64, O: 19 }),
    // as a batch takes it: 3 samples 4 rows apart, each from position 0 (the lone sample's
    // rotation is the same arithmetic at stride 0)
    ...ropeCases({ T: 12, heads: 3, headDim: 10, ropeDims: 6, base: 10000, stride: 4 }),
    ...attentionCases({ T: 9, H: 4, Hkv: 2, Dh: 16 }),
    ...addCases(333),
    addBiasCase(5, 45),
    ...swigluCases(333),
    ...colnormCases(9, 37),
    ...scoreCases('grad_x_weight', GgmlType.Q8_0, { T: 7, I: 64, O: 45 }, 4),
    ...densityCases(5000, 3, [1e-7, 1e-5, 1e-4]),
    ...headCases(GgmlType.Q8_0, logits, 64),
    ...pruneMaskCases(PRUNE_MASK_CASES[1]),
  ];
}

/** Every engine case on `ctx` (a context with the app's options for the adapter). */
export async function runSelfCheck(ctx: GpuContext): Promise<OpCheckResult[]> {
  const results: OpCheckResult[] = [];
  for (const c of engineCases()) results.push(await checkOp(ctx, c, F32_OP));
  return results;
}
