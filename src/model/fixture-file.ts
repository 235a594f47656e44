// A seeded random Llama of a real model's shape (e.g. Llama-2-7B: 3.9 GB at Q4_0) written to a
// GGUF file one tensor at a time, so that a multi-GB model for page-level benchmarks (a browser on
// a GPU machine, bench/page/) is made where it is used, with no more memory than its largest
// tensor. The metadata and vocabulary are the tiny fixtures' (src/model/fixture.ts, vocabulary
// padded to the shape's size); the matrices are random blocks with finite scales
// (src/gguf/random-blocks.ts) rather than quantized uniform values, which would take minutes at 7B.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { type LlamaConfig } from './config';
import { layerTensors } from './layout';
import { fixtureConfig, fixtureMetadata, tokenizerMetadata, type FixtureOptions } from './fixture';
import { ggufHeader, type TensorHeader } from '../gguf/writer';
import { randomTensorBytes } from '../gguf/random-blocks';
import { quantize } from '../gguf/quantize';
import { GgmlType } from '../gguf/types';
import { mulberry32 } from '../util/random';

/** The fixture options of a model of `c`'s shape, matrices of `type`, Q8_0 embeddings and head. */
export function shapedFixture(c: LlamaConfig, type: GgmlType, seed = 21): FixtureOptions {
  return {
    seed,
    name: `paramscope-fixture ${c.name}`,
    layers: c.blockCount,
    width: c.embeddingLength,
    ffn: c.feedForwardLength,
    heads: c.headCount,
    kvHeads: c.headCountKv,
    matrixType: type,
    embeddingType: GgmlType.Q8_0,
    vocabSize: c.vocabSize,
    contextLength: c.contextLength,
    ropeBase: c.ropeFreqBase,
    eps: c.rmsEps,
  };
}

/**
 * Writes the model of `o` to `path`, which must not exist (an input is never written over);
 * returns the file's size in bytes.
 */
export function writeFixtureFile(o: FixtureOptions, path: string): number {
  const c = fixtureConfig(o);
  const C = c.embeddingLength;
  const emb = o.embeddingType ?? GgmlType.F32;
  const headers: (TensorHeader & { make: () => Uint8Array })[] = [];
  const rnd = mulberry32(o.seed);
  const seedOf = () => Math.floor(rnd() * 2 ** 31);
  const matrix = (name: string, type: GgmlType, O: number, I: number) => {
    const seed = seedOf();
    headers.push({
      name,
      dims: [I, O],
      type,
      make: () => randomTensorBytes(type, O * I, seed, 0.5 / Math.sqrt(I)),
    });
  };
  const norm = (name: string) => {
    const seed = seedOf();
    headers.push({
      name,
      dims: [C],
      type: GgmlType.F32,
      make: () => {
        const r = mulberry32(seed);
        return quantize(
          GgmlType.F32,
          Float32Array.from({ length: C }, () => 1 + (r() * 2 - 1) * 0.2),
        );
      },
    });
  };
  matrix('token_embd.weight', emb, c.vocabSize, C);
  for (let l = 0; l < c.blockCount; l++)
    for (const t of layerTensors(c, l)) {
      if (t.name.endsWith('norm.weight')) norm(t.name);
      else matrix(t.name, o.matrixType, t.dims[1], t.dims[0]);
    }
  norm('output_norm.weight');
  matrix('output.weight', emb, c.vocabSize, C);
  const md = [...fixtureMetadata(c, o), ...tokenizerMetadata(o)];
  const { header, dataBytes, alignment } = ggufHeader(md, headers);
  const fd = openSync(path, 'wx');
  let whole = false;
  try {
    let at = writeSync(fd, header);
    for (const t of headers) {
      at += writeSync(fd, t.make());
      const pad = (alignment - (at % alignment)) % alignment;
      if (pad) at += writeSync(fd, new Uint8Array(pad));
    }
    // every tensor where the header says it is
    if (at !== header.byteLength + dataBytes)
      throw new Error(
        `${path}: ${at} bytes written, the header lays out ${header.byteLength + dataBytes}`,
      );
    whole = true;
    return at;
  } finally {
    closeSync(fd);
    // the file is ours ('wx' made it): no partial model is left under its name
    if (!whole) unlinkSync(path);
  }
}
