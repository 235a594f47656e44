// The files researchers have, at their real sizes, without their gigabytes: GGUF headers of
// Llama-3-8B, Qwen2.5-7B and Llama-2-13B as llama.cpp's Q4_K_M writes them (the data section
// reads as zeros). Their config is read, every tensor's size is what the file holds, the memory
// estimate of a run is what README states, and a weight larger than the adapter can bind (the
// 128k-vocabulary head in Q6_K) is refused by name before any upload. Numbers written to
// test-artifacts/real-shapes.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ggufHeader, meta, type TensorHeader } from '../../src/gguf/writer';
import { readGguf, type GgufFile } from '../../src/gguf/reader';
import { GgmlType, type GgufEntry } from '../../src/gguf/types';
import { MATRICES, matrixShape } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { layerTensors } from '../../src/model/layout';
import { fixtureConfig } from '../../src/model/fixture';
import { checkWeightBuffers, weightBuffers } from '../../src/gpu/model';
import { estimateGpuMemory, planMemory } from '../../src/engine/memory';

interface Shape {
  name: string;
  arch: 'llama' | 'qwen2';
  C: number;
  L: number;
  F: number;
  H: number;
  Hkv: number;
  V: number;
  /** the file's size on disk (bytes), as published */
  fileBytes: number;
}

const SHAPES: Shape[] = [
  // Meta-Llama-3-8B Q4_K_M (4.92 GB), Qwen2.5-7B-Instruct Q4_K_M (4.68 GB), Llama-2-13B Q4_K_M
  // (7.87 GB): published sizes of llama.cpp's conversions
  {
    name: 'Llama-3-8B',
    arch: 'llama',
    C: 4096,
    L: 32,
    F: 14336,
    H: 32,
    Hkv: 8,
    V: 128256,
    fileBytes: 4.92e9,
  },
  {
    name: 'Qwen2.5-7B',
    arch: 'qwen2',
    C: 3584,
    L: 28,
    F: 18944,
    H: 28,
    Hkv: 4,
    V: 152064,
    fileBytes: 4.68e9,
  },
  {
    name: 'Llama-2-13B',
    arch: 'llama',
    C: 5120,
    L: 40,
    F: 13824,
    H: 40,
    Hkv: 40,
    V: 32000,
    fileBytes: 7.87e9,
  },
];

/** llama.cpp's Q4_K_M: Q6_K for attn_v and ffn_down in these layers, Q4_K elsewhere. */
const moreBits = (i: number, n: number) =>
  i < n / 8 || i >= (7 * n) / 8 || (i - Math.floor(n / 8)) % 3 === 2;

/** A GgufFile of the shape: real header, zeros for the data. */
async function shapeFile(s: Shape): Promise<GgufFile> {
  const c = {
    ...fixtureConfig({
      seed: 0,
      layers: s.L,
      width: s.C,
      ffn: s.F,
      heads: s.H,
      kvHeads: s.Hkv,
      matrixType: GgmlType.Q4_K,
    }),
    ...(s.arch === 'qwen2' ? { architecture: 'qwen2' as const } : {}),
    vocabSize: s.V,
  };
  const tensors: TensorHeader[] = [
    { name: 'token_embd.weight', dims: [s.C, s.V], type: GgmlType.Q4_K },
  ];
  for (let l = 0; l < s.L; l++)
    for (const t of layerTensors(c, l)) {
      const sixK = /attn_v|ffn_down/.test(t.name) && moreBits(l, s.L);
      const f32 = t.dims.length === 1;
      tensors.push({ ...t, type: f32 ? GgmlType.F32 : sixK ? GgmlType.Q6_K : GgmlType.Q4_K });
    }
  tensors.push({ name: 'output_norm.weight', dims: [s.C], type: GgmlType.F32 });
  tensors.push({ name: 'output.weight', dims: [s.C, s.V], type: GgmlType.Q6_K });
  const a = s.arch;
  const md: [string, GgufEntry][] = [
    ['general.architecture', meta.str(a)],
    ['general.name', meta.str(s.name)],
    [`${a}.context_length`, meta.u32(8192)],
    [`${a}.embedding_length`, meta.u32(s.C)],
    [`${a}.block_count`, meta.u32(s.L)],
    [`${a}.feed_forward_length`, meta.u32(s.F)],
    [`${a}.attention.head_count`, meta.u32(s.H)],
    [`${a}.attention.head_count_kv`, meta.u32(s.Hkv)],
    [`${a}.rope.freq_base`, meta.f32(500000)],
  ];
  const { header, dataBytes } = ggufHeader(md, tensors);
  const size = header.length + dataBytes;
  return readGguf({
    name: `${s.name}-Q4_K_M.gguf`,
    size,
    async read(offset, length) {
      const out = new Uint8Array(Math.max(0, Math.min(size, offset + length) - offset));
      if (offset < header.length) out.set(header.subarray(offset, offset + out.length));
      return out;
    },
  });
}

const MiB = 2 ** 20;
const measured: Record<string, unknown> = {};

describe('real model shapes (Q4_K_M headers)', () => {
  for (const s of SHAPES) {
    it(`${s.name}: config, tensor sizes, memory estimate, binding limit`, async () => {
      const file = await shapeFile(s);
      const c = llamaConfig(file);
      expect([c.blockCount, c.embeddingLength, c.vocabSize, c.headCountKv]).toEqual([
        s.L,
        s.C,
        s.V,
        s.Hkv,
      ]);
      const scored =
        c.blockCount * MATRICES.reduce((n, m) => n + matrixShape(c, m).O * matrixShape(c, m).I, 0);
      let data = 0;
      for (const t of file.tensors.values()) data += t.bytes;
      // the tensors hold what the published file holds, within its metadata (tokenizer) and 1 %
      expect(Math.abs(data / s.fileBytes - 1)).toBeLessThan(0.01);
      const buffers = weightBuffers(file, c);
      const head = buffers.find((b) => b.name === 'output.weight')!.bytes;
      expect(head).toBe((s.V * s.C * 210) / 256);
      const weights = buffers.reduce((n, b) => n + b.bytes, 0);
      const one = {
        sets: [{ name: 'a', samples: [{ source: 'x', tokens: Array(128).fill(1) }] }],
        pairs: [],
      };
      const four = {
        sets: [{ name: 'a', samples: Array(4).fill(one.sets[0].samples[0]) }],
        pairs: [],
      };
      const e1 = estimateGpuMemory(c, weights, one);
      const e4 = planMemory(c, weights, four); // as the app plans it: walked in one batch
      expect(e1.total).toBeGreaterThan(weights);
      // the layer walk keeps one layer's per-set sums (f32 per scored weight of the layer)
      expect(e1.accumulators).toBeGreaterThanOrEqual((scored / s.L) * 4);
      expect(e4.total).toBeGreaterThan(e1.total);
      // binding: refused by name on an adapter that binds 128 MiB, accepted at 1 GiB
      const limits = (bind: number) =>
        ({ maxStorageBufferBindingSize: bind, maxBufferSize: 2 ** 32 }) as GPUSupportedLimits;
      expect(() => checkWeightBuffers(file, c, limits(128 * MiB))).toThrow(
        /tensor "(output|token_embd)\.weight" takes \d+ MiB but this GPU binds at most 128 MiB per buffer/,
      );
      expect(() => checkWeightBuffers(file, c, limits(1024 * MiB))).not.toThrow();
      measured[s.name] = {
        scoredParameters: scored,
        headMB: head / 1e6,
        weightsGiB: weights / 2 ** 30,
        estimateOneT128GiB: e1.total / 2 ** 30,
        estimateFourT128GiB: e4.total / 2 ** 30,
        accumulatorsGiB: e1.accumulators / 2 ** 30,
      };
      mkdirSync('test-artifacts', { recursive: true });
      writeFileSync('test-artifacts/real-shapes.json', JSON.stringify(measured, null, 1));
    });
  }
});
