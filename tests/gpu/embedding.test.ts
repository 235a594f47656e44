// shaders/embedding.wgsl vs src/reference/embedding.ts: rows of a quantized table gathered.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClose, runOnGpu, testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/context';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { uploadWeight } from '../../src/gpu/ops/quant';
import { embeddingForward } from '../../src/gpu/ops/embedding';
import { embeddingForward as embeddingRef } from '../../src/reference/embedding';
import { dequantize } from '../../src/gguf/dequant';
import { GgmlType } from '../../src/gguf/types';

describe('embedding on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('embedding gathers rows of a quantized table', async () => {
    const C = 64;
    const V = 11;
    const bytes = randomTensorBytes(GgmlType.Q8_0, V * C, 5);
    const E = uploadWeight(ctx.device, bytes, GgmlType.Q8_0, V * C);
    const tokens = Uint32Array.from([3, 0, 10, 3, 7]);
    const out = await runOnGpu(ctx, { tokens }, { x: tokens.length * C }, (enc, b) =>
      embeddingForward(ctx, enc, b.x, b.tokens, E, tokens.length, C),
    );
    const x = new Float32Array(tokens.length * C);
    embeddingRef(x, tokens, dequantize(GgmlType.Q8_0, bytes, V * C), C);
    expectClose('x', out.x, x);
  });
});
