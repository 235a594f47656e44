// Issue 5's cross-check on the WGSL engine: its forward's last-position logits against
// onnxruntime-web running the ONNX graph of the same GGUF, on every fixture and the demo model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import { demoFile, golden } from '../helpers/demo';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama } from '../../src/gpu/model';
import { gpuForwardLogits } from '../../src/engine/run-gpu';
import { loadLlamaWeights } from '../../src/model/weights';
import type { GgufFile } from '../../src/gguf/reader';
import { ORT_LOGIT_TOL, verifyEngine } from '../../src/onnx/verify';

describe('WGSL forward vs onnxruntime-web', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  const check = async (file: GgufFile, tokens: number[]) => {
    const model = await uploadLlama(ctx, file);
    try {
      const v = await verifyEngine(await loadLlamaWeights(file), tokens, (t) =>
        gpuForwardLogits(ctx, model, t),
      );
      expect(v.vocab).toBe(file.tensors.get('token_embd.weight')!.dims[1]);
      expect(v.maxAbsDiff, JSON.stringify(v)).toBeLessThanOrEqual(ORT_LOGIT_TOL);
      expect(v.argmaxOurs).toBe(v.argmaxOrt);
      return v;
    } finally {
      model.destroy();
    }
  };

  for (const name of ['f32', 'f16', 'q8_0', 'q4_0'] as const) {
    it(`${name}: T = 1 and 13`, async () => {
      const file = await fixtureFile(name);
      await check(file, [7]);
      await check(file, [1, 5, 9, 3, 7, 2, 11, 4, 8, 6, 10, 12, 0]);
    }, 120_000);
  }

  it('demo model, first golden sample', async () => {
    const v = await check(await demoFile(), golden.samples[0].tokens);
    expect(v.argmaxOurs).toBe(golden.samples[0].argmax);
  }, 300_000);
});
