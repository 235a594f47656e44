// shaders/matmul.wgsl under Dawn vs src/reference/matmul.ts, on sizes that are not multiples
// of the 16×16 workgroup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/runtime/context';
import type { AdapterSummary } from '../../src/gpu/runtime/device';
import { checkOp } from '../../src/gpu/checks/opcheck';
import { matmulCases } from '../../src/gpu/cases/matmul';
import { F32_OP } from '../../src/util/tolerances';

const SIZES = [
  { T: 1, I: 1, O: 1 },
  { T: 7, I: 37, O: 19 },
  { T: 17, I: 33, O: 50 },
  { T: 33, I: 130, O: 9 },
];

describe('matmul on the GPU', () => {
  let ctx: GpuContext;
  let summary: AdapterSummary;
  beforeAll(async () => {
    const gpu = await testGpu();
    ctx = new GpuContext(gpu.device);
    summary = gpu.summary;
  });
  afterAll(() => ctx?.device.destroy());

  it('runs on a real adapter', () => {
    expect(
      summary.vendor.length + summary.architecture.length + summary.description.length,
    ).toBeGreaterThan(0);
    expect(summary.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
  });

  for (const d of SIZES) {
    for (const c of matmulCases(d, d.T * 1000 + d.I)) {
      it(c.name, async () => {
        const r = await checkOp(ctx, c, F32_OP);
        expect(r.ok, r.report).toBe(true);
      });
    }
  }

  it('a perturbed GPU output is reported with its index', async () => {
    const [fwd] = matmulCases({ T: 3, I: 5, O: 4 }, 9);
    const broken = {
      ...fwd,
      reference: (i: Record<string, Float32Array>) => {
        const y = fwd.reference(i);
        y.Y[6] += 0.5;
        return y;
      },
    };
    const r = await checkOp(ctx, broken, F32_OP);
    expect(r.ok).toBe(false);
    expect(r.mismatches[0].index).toBe(6);
  });
});
