// shaders/head.wgsl vs src/reference/head.ts (cases: src/gpu/cases/head.ts): the argmax of the
// logits (lowest index on ties) with its value, and the one-row backward; and NaN first, as
// PyTorch's max.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCases, runOnGpu, testContext } from '../helpers/gpu';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { headCases } from '../../src/gpu/cases/head';
import { headArgmax } from '../../src/gpu/ops/head';
import { uploadWeight } from '../../src/gpu/ops/quant';
import { headArgmax as argmaxRef } from '../../src/reference/head';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { GgmlType } from '../../src/gguf/types';
import { randomArray } from '../../src/util/random';

const V = 300;
const C = 32;
const logits = randomArray(V, 10);
logits[77] = 5;
logits[211] = 5;

describe('head on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  it('the case has a tie, won by the lower index', () => expect(argmaxRef(logits).index).toBe(77));
  checkCases(headCases(GgmlType.Q8_0, logits, C), () => ctx);

  it('a NaN logit is the max, the first of several; its bits come back', async () => {
    const W = uploadWeight(
      ctx.device,
      randomTensorBytes(GgmlType.Q8_0, V * C, 11),
      GgmlType.Q8_0,
      V * C,
    );
    for (const nans of [[250], [260, 13]]) {
      const withNan = logits.slice();
      for (const i of nans) withNan[i] = NaN;
      const o = await runOnGpu(ctx, { logits: withNan }, { best: 2 }, (enc, b) =>
        headArgmax(ctx, enc, b.best, b.logits, W, V, C),
      );
      const first = Math.min(...nans);
      expect(argmaxRef(withNan).index).toBe(first);
      expect(new Uint32Array(o.best.buffer)[0]).toBe(first);
      expect(Number.isNaN(o.best[1])).toBe(true);
    }
    W.buffer.destroy();
  });
});
