// The reference cross-entropy (src/reference/xent.ts) against hand-computed values: a uniform
// row, a row whose logits are shifted (the max is subtracted: no overflow at 1000).
import { describe, expect, it } from 'vitest';
import { crossEntropyForward } from '../../src/reference/xent';

describe('reference cross-entropy', () => {
  it('−log softmax of the target, per row', () => {
    const nll = new Float64Array(3);
    const logits = Float64Array.from([0, Math.log(3), 0, 0, 0, 0, 1000, 1000 + Math.log(3), 1000]);
    crossEntropyForward(nll, logits, [0, 2, 1], 3, 3);
    expect(nll[0]).toBeCloseTo(Math.log(5), 12); // e^0 / (1 + 3 + 1)
    expect(nll[1]).toBeCloseTo(Math.log(3), 12); // uniform over 3
    expect(nll[2]).toBeCloseTo(Math.log(5 / 3), 9); // 3 / 5, logits near 1000
  });
});
