// The engine self-check the app runs on open: every op case on the browser's GPU vs the reference.
import { GpuContext } from './context';
import { checkOp, type OpCheckResult } from './opcheck';
import { matmulCases } from './cases/matmul';
import { F32_OP } from '../util/tolerances';

/** Sizes deliberately not multiples of the 16×16 workgroup. */
export const SELF_CHECK_DIMS = { T: 7, I: 37, O: 19 };

export async function runSelfCheck(device: GPUDevice): Promise<OpCheckResult[]> {
  const ctx = new GpuContext(device);
  const results: OpCheckResult[] = [];
  for (const c of matmulCases(SELF_CHECK_DIMS, 42)) results.push(await checkOp(ctx, c, F32_OP));
  return results;
}
