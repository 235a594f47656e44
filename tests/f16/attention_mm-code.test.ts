// The attention forward on subgroup matrices (shaders/attention_mm.wgsl, src/gpu/ops/attention.ts):
// compiled on lavapipe with the matrix builtins stood in for (tests/helpers/matrix-stub.ts) at
// each head dimension it takes, its pipeline created where the device allows its workgroup
// memory. Its numbers: `npm run bench -- --precision f16 --check` against its twin on real GPUs.
import { describe, expect, it } from 'vitest';
import code from '../../shaders/attention_mm.wgsl?raw';
import { f16Gpu } from '../helpers/f16';
import { stubMatrices } from '../helpers/matrix-stub';
import { withConstants } from '../../src/gpu/runtime/context';
import { MATRIX_ENABLE } from '../../src/gpu/ops/linear';

describe('the attention forward on subgroup matrices', () => {
  it('compiles with the matrix builtins stood in for (head dimensions 16 … 128)', async () => {
    const { device } = await f16Gpu();
    for (const DH of [16, 64, 128]) {
      const src = stubMatrices(`${MATRIX_ENABLE}${withConstants(code, { DH })}`);
      const module = device.createShaderModule({ code: src });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      expect(errors.map((m) => `DH ${DH}:${m.lineNum}: ${m.message}`)).toEqual([]);
      // 48,128 bytes of workgroup memory at DH = 128: within WebGPU's 16 KiB minimum only below
      if (DH < 128 || device.limits.maxComputeWorkgroupStorageSize >= 48128) {
        device.pushErrorScope('validation');
        device.createComputePipeline({
          layout: 'auto',
          compute: { module, entryPoint: 'attention_forward_mm' },
        });
        const e = await device.popErrorScope();
        expect(e?.message, `DH ${DH}`).toBeUndefined();
      }
    }
  }, 300_000);
});
