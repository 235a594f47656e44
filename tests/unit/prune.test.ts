// Pruning (src/prune): the row rule (⌊I·S⌋ smallest per row, ties to the lower column, zeros
// first), exact zeros written into each type's own bytes with every other weight unchanged, and
// whole-model pruning — magnitude on a Q4_0 fixture (many equal |W| in a block: the tie rule), and
// Wanda's sequential calibration checked against an independent recomputation of its norms.
import { llamaConfig } from '../../src/model/read-config';
import { describe, expect, it } from 'vitest';
import {
  MODE_OF,
  PRUNE_KINDS,
  PRUNE_METHODS,
  pruneKind,
  pruneMetric,
  prunedPerRow,
  rowMask,
} from '../../src/prune/select';
import {
  fileReencodedNote,
  prunedTensor,
  reencodeF16,
  reencodedBytes,
  reencodedNote,
} from '../../src/prune/zero';
import { formatBytes } from '../../src/util/format';
import { ZEROABLE } from '../../src/gguf/types';
import { pruneZero as zeroMasked } from '../../src/reference/prune_zero';
import { f16ToF32, f32ToF16 } from '../../src/gguf/half';
import { pruneModel } from '../../src/prune/prune';
import { prunedGguf } from '../../src/prune/export';
import { readGguf, readTensorBytes } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { loadLlamaWeights } from '../../src/model/weights';
import { packMask } from '../../src/reference/prune_mask';
import { randomTensorBytes } from '../../src/gguf/random-blocks';
import { dequantize } from '../../src/gguf/dequant';
import { GgmlType } from '../../src/gguf/types';
import { MATRICES, layerTensorName, matrixShape } from '../../src/model/config';
import { embed, layerForward, layerInputs, llamaScores } from '../../src/reference/llama';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';

describe('the row rule', () => {
  it('prunes the k smallest of each row, ties to the lower column, zeros first', () => {
    // row 0: 1, 1 at cols 1, 3 are the two smallest; row 1: the zero (col 1), then 3 (col 0)
    const m = rowMask([5, 1, 2, 1, 9, 3, 0, 4, 4, 8], 2, 5, 2);
    // three equal values, two pruned: the lower columns
    expect([...rowMask([7, 7, 7, 1], 1, 4, 3)]).toEqual([1, 1, 0, 1]);
    expect([...m]).toEqual([0, 1, 0, 1, 0, 1, 1, 0, 0, 0]);
    const t = rowMask([2, 2, 2, 2], 1, 4, 3);
    expect([...t]).toEqual([1, 1, 1, 0]);
    expect(prunedPerRow(10, 0.55)).toBe(5);
    expect([...pruneMetric('wanda', [1, -2, 3, -4], 2, { norms: [10, 1] })]).toEqual([
      10, 2, 30, 4,
    ]);
    const r = pruneMetric('random', [0, 1, 2, 0], 4, { seed: 3 });
    expect([r[0], r[3]]).toEqual([0, 0]);
    expect(r[1]).toBeGreaterThan(0);
  });
});

describe('the pruning-method table', () => {
  it('says what each method needs, and the code asks it (refusals by what is missing)', async () => {
    expect(PRUNE_METHODS).toEqual(PRUNE_KINDS.map((k) => k.id));
    const W = [1, -2, 3, -4];
    for (const k of PRUNE_KINDS) {
      expect(MODE_OF[k.id]).toBe(k.mode);
      const all = { norms: [10, 1], score: [4, 3, 2, 1], seed: 1 };
      expect(pruneMetric(k.id, W, 2, all)).toHaveLength(4);
      if (k.inputNorms)
        expect(() => pruneMetric(k.id, W, 2, { ...all, norms: undefined })).toThrow(/norms/);
      if (k.scores)
        expect(() => pruneMetric(k.id, W, 2, { ...all, score: undefined })).toThrow(/scores/);
      // a method that needs calibration samples is refused without them, before any pruning
      const w = await fixtureWeights('q4_0');
      const req = { method: k.id, sparsity: w.layers.map(() => 0.5), seed: 1 };
      const run = pruneModel(await fixtureFile('q4_0'), w, req);
      if (k.calibration) await expect(run).rejects.toThrow(`${k.id} needs calibration samples`);
      else await expect(run).resolves.toBeDefined();
    }
    expect(() => pruneKind('nope' as never)).toThrow(/unknown pruning method/);
  });
});

describe('exact zeros in the file’s own bytes', () => {
  it.each(ZEROABLE.map((t) => [GgmlType[t], t] as const))(
    '%s: masked weights are 0, all others bit-identical',
    (_, type) => {
      const n = 256;
      const bytes = randomTensorBytes(type, n, 9);
      const mask = Uint8Array.from({ length: n }, (_, e) => ((e * 37) % 5 === 0 ? 1 : 0));
      const before = dequantize(type, bytes, n);
      const after = dequantize(type, zeroMasked('t', type, bytes, packMask(mask), n), n);
      for (let e = 0; e < n; e++)
        expect(Object.is(after[e], mask[e] ? 0 : before[e]) || (mask[e] && after[e] === 0)).toBe(
          true,
        );
    },
  );
  it.each([GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q4_K, GgmlType.Q6_K])(
    'type %i, which has no exact 0: re-encoded as F16, the pruned weights 0, the others its decode rounded to half',
    (type) => {
      const n = 512;
      const bytes = randomTensorBytes(type, n, 5, 0.02);
      const mask = Uint8Array.from({ length: n }, (_, e) => ((e * 7919) % 3 === 0 ? 1 : 0));
      const t = prunedTensor('blk.0.attn_q.weight', type, bytes, packMask(mask), n);
      expect(t.type).toBe(GgmlType.F16);
      expect(t.bytes.byteLength).toBe(2 * n);
      const before = dequantize(type, bytes, n);
      const after = dequantize(GgmlType.F16, t.bytes, n);
      for (let e = 0; e < n; e++)
        expect(after[e]).toBe(mask[e] ? 0 : f16ToF32(f32ToF16(before[e])));
      // a type with an exact 0 keeps its own bytes and type
      const q8 = randomTensorBytes(GgmlType.Q8_0, n, 5, 0.02);
      expect(prunedTensor('x', GgmlType.Q8_0, q8, packMask(mask), n).type).toBe(GgmlType.Q8_0);
      // zeroMasked itself writes only types with an exact 0
      expect(() => zeroMasked('blk.0.attn_q.weight', type, bytes, packMask(mask), n)).toThrow(
        /has no exact 0/,
      );
    },
  );

  it('says which matrix types a pruning re-encodes', () => {
    expect(reencodedNote([GgmlType.Q4_0, GgmlType.Q8_0])).toBe('');
    expect(reencodedNote([GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q4_K, GgmlType.F32])).toBe(
      'its Q4_K, Q6_K matrices are pruned and exported as F16 (no exact 0 in their blocks; the other tensors keep their bytes)',
    );
  });

  it('says what the re-encoded matrices take on the GPU while pruned', async () => {
    const file = await fixtureFile('q4_k');
    const c = llamaConfig(file);
    const every = (t: GgmlType) => reencodedBytes(c, () => t);
    const elements = Array.from({ length: c.blockCount }, () =>
      MATRICES.map((m) => matrixShape(c, m)),
    )
      .flat()
      .reduce((a, { O, I }) => a + O * I, 0);
    expect(every(GgmlType.Q4_K)).toEqual({ file: (elements / 256) * 144, f16: elements * 2 });
    expect(every(GgmlType.Q8_0)).toEqual({ file: 0, f16: 0 });
    const note = fileReencodedNote(file, c);
    const { file: stored, f16 } = reencodedBytes(
      c,
      (l, m) => file.tensors.get(layerTensorName(l, m))!.type,
    );
    expect(f16).toBeGreaterThan(stored);
    expect(note).toContain(
      `while pruned they take ${formatBytes(f16)} of GPU memory instead of ${formatBytes(stored)}`,
    );
  });

  it('refuses to re-encode a weight beyond F16’s range by name', () => {
    const big = new Uint8Array(new Float32Array([1, 70000, 2, 3]).buffer);
    expect(() => reencodeF16('blk.1.ffn_up.weight', GgmlType.F32, big, 4)).toThrow(
      'tensor "blk.1.ffn_up.weight" (F32) holds 70000 at element 1: beyond F16\'s range, so its pruned matrix cannot be re-encoded as F16',
    );
  });
});

describe('pruning a model', () => {
  it.each(['qwen2', 'phi3'] as const)(
    '%s: pruned in the engine’s layout, written back in the file’s (q, k rows in NeoX order, fused tensors by row block)',
    async (name) => {
      const file = await fixtureFile(name);
      const w = await fixtureWeights(name);
      const L = w.config.blockCount;
      const sparsity = Array.from({ length: L }, (_, l) => 0.3 + 0.2 * l);
      const out = await pruneModel(file, w, { method: 'magnitude', sparsity, seed: 1 });
      const image = await prunedGguf(file, out.tensors, {
        method: 'magnitude',
        sparsity: 0.4,
        allocation: 'list',
        layerSparsity: sparsity,
      });
      const back = await readGguf(bytesSource(image, `${name}-pruned.gguf`));
      // the same tensors, names, shapes and types as the file (zero is exact in its types)
      expect([...back.tensors.values()].map((t) => [t.name, t.dims, t.type])).toEqual(
        [...file.tensors.values()].map((t) => [t.name, t.dims, t.type]),
      );
      // read back through the architecture's layout, each matrix is the pruned one: the rule's
      // zeros in the engine's rows, the other weights as in the dense file
      const pw = await loadLlamaWeights(back);
      for (let l = 0; l < L; l++)
        MATRICES.forEach((m) => {
          const { O, I } = matrixShape(w.config, m);
          const t = out.tensors.get(layerTensorName(l, m))!;
          const P = pw.layers[l].matrices[m];
          expect(P).toEqual(dequantize(t.type, t.bytes, O * I));
          const W = w.layers[l].matrices[m];
          const k = Math.floor(I * sparsity[l]);
          for (let o = 0; o < O; o++) {
            let zeros = 0;
            for (let i = 0; i < I; i++) {
              const e = o * I + i;
              if (P[e] === 0) zeros++;
              else expect(P[e]).toBe(W[e]);
            }
            expect(zeros).toBeGreaterThanOrEqual(k);
          }
        });
      // Qwen2's biases, the norms and embeddings keep their bytes
      for (const t of file.tensors.values())
        if (!/\.(attn_(q|k|v|qkv|output)|ffn_(gate|up|down))\.weight$/.test(t.name))
          expect(await readTensorBytes(back, t.name)).toEqual(await readTensorBytes(file, t.name));
    },
  );

  it('magnitude on Q4_0: exactly ⌊I·S_i⌋ per row, the smallest |W|, ties by column', async () => {
    const file = await fixtureFile('q4_0');
    const w = await fixtureWeights('q4_0');
    const L = w.config.blockCount;
    const sparsity = Array.from({ length: L }, (_, l) => 0.3 + 0.1 * l);
    const out = await pruneModel(file, w, { method: 'magnitude', sparsity, seed: 0 });
    for (let l = 0; l < L; l++)
      MATRICES.forEach((m, mi) => {
        const { O, I } = matrixShape(w.config, m);
        const k = Math.floor(I * sparsity[l]);
        const name = layerTensorName(l, m);
        const P = dequantize(GgmlType.Q4_0, out.tensors.get(name)!.bytes, O * I);
        const W = w.layers[l].matrices[m];
        expect(out.pruned[l][mi]).toBe(O * k);
        for (let o = 0; o < O; o++) {
          // the rule, stated directly: columns sorted by (|W|, column), the first k are 0
          const order = Array.from({ length: I }, (_, i) => i).sort(
            (a, b) => Math.abs(W[o * I + a]) - Math.abs(W[o * I + b]) || a - b,
          );
          order.forEach((i, j) => {
            const e = o * I + i;
            if (j < k) expect(P[e] === 0, `layer ${l} ${m} (${o}, ${i})`).toBe(true);
            else expect(P[e]).toBe(W[e]);
          });
        }
      });
  });

  it('wanda: norms from the pruned earlier layers, over every calibration token', async () => {
    const file = await fixtureFile('f32');
    const w = await fixtureWeights('f32');
    const L = w.config.blockCount;
    const calibration = [
      [1, 5, 9, 200],
      [1, 77, 3],
    ];
    const sparsity = new Array(L).fill(0.5);
    const out = await pruneModel(file, w, { method: 'wanda', sparsity, seed: 0, calibration });
    // independently: walk the layers with the pruned weights, recompute the norms, re-rank
    const pw = { ...w, layers: w.layers.map((lw) => ({ ...lw, matrices: { ...lw.matrices } })) };
    let xs = calibration.map((t) => embed(w, t));
    for (let l = 0; l < L; l++) {
      const pruned: Record<string, Float32Array> = {};
      for (const m of MATRICES) {
        const { O, I } = matrixShape(w.config, m);
        const n = new Float64Array(I);
        xs.forEach((x, s) => {
          const X = layerInputs(layerForward(pw, l, x, calibration[s].length))[m];
          for (let e = 0; e < X.length; e++) n[e % I] += X[e] ** 2;
        });
        const W = w.layers[l].matrices[m];
        const P = dequantize(GgmlType.F32, out.tensors.get(layerTensorName(l, m))!.bytes, O * I);
        const k = Math.floor(I * 0.5);
        for (let o = 0; o < 3; o++) {
          const score = (i: number) => Math.abs(W[o * I + i]) * Math.sqrt(n[i]);
          const order = Array.from({ length: I }, (_, i) => i).sort(
            (a, b) => score(a) - score(b) || a - b,
          );
          order.slice(0, k).forEach((i) => expect(P[o * I + i] === 0).toBe(true));
          order.slice(k).forEach((i) => expect(P[o * I + i]).toBe(W[o * I + i]));
        }
        pruned[m] = P;
      }
      // layer l pruned only once all seven norms are taken on its dense weights
      Object.assign(pw.layers[l].matrices, pruned);
      xs = xs.map((x, s) => layerForward(pw, l, x, calibration[s].length).out);
    }
  });
  it('score: the smallest Σ_s |W ⊙ ∂D/∂W| of each row on the dense model', async () => {
    const file = await fixtureFile('f32');
    const w = await fixtureWeights('f32');
    const L = w.config.blockCount;
    const calibration = [
      [1, 5, 9, 200],
      [1, 77, 3],
    ];
    const out = await pruneModel(file, w, {
      method: 'score',
      sparsity: new Array(L).fill(0.4),
      seed: 0,
      calibration,
    });
    // independently: each sample's gradients on the dense model, |W ⊙ G| summed in f64
    const runs = calibration.map((t) => llamaScores(w, t).grads);
    for (let l = 0; l < L; l++)
      for (const m of MATRICES) {
        const { O, I } = matrixShape(w.config, m);
        const W = w.layers[l].matrices[m];
        const P = dequantize(GgmlType.F32, out.tensors.get(layerTensorName(l, m))!.bytes, O * I);
        const k = Math.floor(I * 0.4);
        for (let o = 0; o < O; o++) {
          const a = (i: number) =>
            runs.reduce((s, g) => s + Math.abs(W[o * I + i] * g[l][m][o * I + i]), 0);
          const order = Array.from({ length: I }, (_, i) => i).sort((x, y) => a(x) - a(y) || x - y);
          order
            .slice(0, k)
            .forEach((i) => expect(P[o * I + i] === 0, `${l} ${m} ${o} ${i}`).toBe(true));
          order.slice(k).forEach((i) => expect(P[o * I + i]).toBe(W[o * I + i]));
        }
      }
  });
});
