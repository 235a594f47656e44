// The memory plan (issue 4): a Llama-2-7B-shape Q4_0 run of 64 samples × 256 tokens is accepted
// for an 8 GB GPU by keeping the saved layer inputs in CPU memory, still walked in batches; GPU
// and CPU bytes are reported apart; a run above the budget is refused with the numbers.
import { describe, expect, it } from 'vitest';
import { LLAMA2_7B } from '../../src/gpu/synthetic';
import {
  checkBudget,
  estimateGpuMemory,
  planMemory,
  RunRefusedError,
  RUNTIME_BYTES,
} from '../../src/engine/memory';
import { MATRICES, matrixShape } from '../../src/model/config';
import { GgmlType, tensorBytes } from '../../src/gguf/types';
import { packScratchBytes } from '../../src/gpu/ops/linear';

const c = LLAMA2_7B;
const weights =
  c.blockCount *
    MATRICES.reduce((s, m) => {
      const { O, I } = matrixShape(c, m);
      return s + tensorBytes(GgmlType.Q4_0, O * I);
    }, 0) +
  2 * tensorBytes(GgmlType.Q4_0, c.vocabSize * c.embeddingLength) +
  (2 * c.blockCount + 1) * c.embeddingLength * 4;
const req = (n: number, T: number) => ({
  sets: [
    {
      name: 's',
      samples: Array.from({ length: n }, (_, i) => ({
        source: `${i}`,
        tokens: new Array<number>(T).fill(1),
      })),
    },
  ],
  pairs: [],
});
const GB8 = 8e9;

describe('memory plan', () => {
  it('7B Q4_0, 64 samples × 256 tokens: saved inputs go to the CPU and the GPU part fits 8 GB', () => {
    expect(weights / 1e9).toBeGreaterThan(3.5);
    const onGpu = estimateGpuMemory(c, weights, req(64, 256), 'gpu');
    expect(onGpu.total).toBeGreaterThan(GB8); // 64 × 32 × 256 × 4096 × 4 B = 8.6 GB of inputs
    const plan = planMemory(c, weights, req(64, 256), GB8);
    expect(plan.savedOn).toBe('cpu');
    expect(plan.total).toBeLessThanOrEqual(GB8);
    expect(plan.cpuSavedInputs).toBe(64 * 256 * c.embeddingLength * c.blockCount * 4);
    // walked in batches of 2 (the default 4 does not fit 8 GB): every sample's slice of one layer,
    // and the forward's L buffers of a batch's rows
    expect(plan.batch).toBe(2);
    expect(plan.savedInputs).toBe((64 * 256 + c.blockCount * 2 * 256) * c.embeddingLength * 4);
    expect(
      plan.weights +
        plan.savedInputs +
        plan.gradients +
        plan.scratch +
        plan.accumulators +
        plan.runtime,
    ).toBe(plan.total);
    expect(plan.runtime).toBe(RUNTIME_BYTES);
    expect(() => checkBudget(plan, GB8)).not.toThrow();
  });

  it('Finding 1’s set (64 samples × 128 tokens) under 8 GiB: inputs in CPU memory, still batches of 8', () => {
    const GiB8 = 8 * 2 ** 30;
    const r = req(64, 128);
    // on the GPU the inputs alone are 4 GiB: no batch fits
    for (const b of [8, 4, 2, 1])
      expect(estimateGpuMemory(c, weights, r, 'gpu', false, b).total).toBeGreaterThan(GiB8);
    const plan = planMemory(c, weights, r, GiB8);
    expect(plan.savedOn).toBe('cpu');
    expect(plan.batch).toBe(8);
    expect(plan.total).toBeLessThanOrEqual(GiB8);
    expect(plan.cpuSavedInputs).toBe(64 * 128 * c.embeddingLength * c.blockCount * 4);
    // a budget too small for batches of 8 in CPU mode halves them
    const four = estimateGpuMemory(c, weights, r, 'cpu', false, 4).total;
    expect(estimateGpuMemory(c, weights, r, 'cpu', false, 8).total).toBeGreaterThan(four);
    expect(planMemory(c, weights, r, four).batch).toBe(4);
  });

  it('keeps inputs on the GPU when they fit, and refuses what cannot fit with the numbers', () => {
    expect(planMemory(c, weights, req(1, 128), GB8).savedOn).toBe('gpu');
    expect(planMemory(c, weights, req(64, 256)).savedOn).toBe('gpu'); // no budget: no choice
    const plan = planMemory(c, weights, req(64, 256), 4e9);
    expect(() => checkBudget(plan, 4e9)).toThrow(RunRefusedError);
    expect(() => checkBudget(plan, 4e9)).toThrow(
      /needs \d+\.\d+ GiB of GPU memory .* budget is 3\.73 GiB/,
    );
  });

  it('counts the matrix linears’ packed f16 operands: the head’s weight and the widest activations', () => {
    // the head's weight (32000 × 4096) and its backward's left operand: 512 rows of 32000 logits'
    // gradients (the widest K of any linear)
    const shapes = [
      ...MATRICES.map((m) => matrixShape(c, m)),
      { O: c.vocabSize, I: c.embeddingLength },
    ];
    expect(packScratchBytes(shapes, 512)).toBe(32000 * 4096 * 2 + 512 * 32000 * 2);
    // 100 rows pad to 128
    expect(packScratchBytes(shapes, 100)).toBe(32000 * 4096 * 2 + 128 * 32000 * 2);
    // in the estimate's scratch: a run of 4 × 128 tokens holds it beside the rest
    const est = estimateGpuMemory(c, weights, req(1, 128), 'gpu');
    expect(est.scratch).toBeGreaterThan(packScratchBytes(shapes, 128));
  });
});
