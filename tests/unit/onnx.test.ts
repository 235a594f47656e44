// The ONNX graph of a Llama (src/onnx) run in onnxruntime-web (WASM) against the reference
// forward: the independent cross-check of issue 5, on every fixture and the demo model.
import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../src/onnx/proto';
import { llamaOnnx } from '../../src/onnx/llama';
import { compareLogits, ORT_LOGIT_TOL, verifyEngine } from '../../src/onnx/verify';
import { llamaForward } from '../../src/reference/llama';
import { loadLlamaWeights } from '../../src/model/weights';
import { fixtureWeights } from '../helpers/fixtures';
import { demoFile, golden } from '../helpers/demo';

const reference = (w: Awaited<ReturnType<typeof fixtureWeights>>) => async (tokens: number[]) =>
  Float32Array.from(llamaForward(w, tokens).logits);

describe('protobuf writer', () => {
  it('encodes varints, negative ints, floats and nested messages as protobuf does', () => {
    expect([...new ProtoWriter().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().int(2, -1).finish()]).toEqual([
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect([...new ProtoWriter().float(2, 1).finish()]).toEqual([0x15, 0, 0, 0x80, 0x3f]);
    expect([...new ProtoWriter().string(2, 'testing').finish()]).toEqual([
      0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67,
    ]);
    expect([...new ProtoWriter().message(3, (w) => w.int(1, 150)).finish()]).toEqual([
      0x1a, 0x03, 0x08, 0x96, 0x01,
    ]);
    expect([...new ProtoWriter().packedInts(4, [3, 270]).finish()]).toEqual([
      0x22, 0x03, 0x03, 0x8e, 0x02,
    ]);
  });
});

describe('compareLogits', () => {
  it('finds the largest difference and its token, and does not let NaN hide', () => {
    const c = compareLogits(Float32Array.of(1, 2, 3), Float32Array.of(1, 2.5, 3));
    expect(c).toMatchObject({ maxAbsDiff: 0.5, token: 1, argmaxOurs: 2, argmaxOrt: 2 });
    expect(compareLogits(Float32Array.of(1, NaN), Float32Array.of(1, 2)).token).toBe(1);
    expect(() => compareLogits(Float32Array.of(1), Float32Array.of(1, 2))).toThrow(/lengths/);
  });
});

describe('ONNX Llama in onnxruntime-web vs the reference forward', () => {
  for (const name of ['f32', 'f16', 'q8_0', 'q4_0', 'qwen2', 'phi3'] as const) {
    for (const tokens of [[3], [1, 5, 9, 3, 7, 2, 11, 4, 8, 6, 10]]) {
      it(`${name}, T = ${tokens.length}: max |Δ logit| ≤ ${ORT_LOGIT_TOL}`, async () => {
        const w = await fixtureWeights(name);
        const v = await verifyEngine(w, tokens, reference(w));
        expect(v.vocab).toBe(w.config.vocabSize);
        expect(v.maxAbsDiff, JSON.stringify(v)).toBeLessThanOrEqual(ORT_LOGIT_TOL);
        expect(v.argmaxOrt).toBe(v.argmaxOurs);
      });
    }
  }

  it('fails on a wrong graph: a model whose weights differ is caught', async () => {
    const w = await fixtureWeights('f32');
    const tokens = [1, 2, 3, 4];
    const want = Float32Array.from(llamaForward(w, tokens).logits);
    const bent = { ...w, outputNorm: w.outputNorm.map((x) => x * 1.01) };
    const v = await verifyEngine(bent, tokens, async () => want);
    expect(v.ok).toBe(false);
    expect(v.maxAbsDiff).toBeGreaterThan(ORT_LOGIT_TOL);
  });

  it('refuses token counts outside 1..context length', async () => {
    const w = await fixtureWeights('f32');
    expect(() => llamaOnnx(w, 0)).toThrow(/1 to/);
    expect(() => llamaOnnx(w, w.config.contextLength + 1)).toThrow(/1 to/);
  });

  it('demo model, first golden sample: max |Δ logit| ≤ 1e-3', async () => {
    const w = await loadLlamaWeights(await demoFile());
    const tokens = golden.samples[0].tokens;
    const v = await verifyEngine(w, tokens, reference(w));
    expect(v.maxAbsDiff, JSON.stringify(v)).toBeLessThanOrEqual(ORT_LOGIT_TOL);
    expect(v.argmaxOrt).toBe(golden.samples[0].argmax);
  });
});
