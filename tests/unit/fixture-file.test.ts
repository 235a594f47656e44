// The fixture tool's models of a real shape written one tensor at a time (src/model/fixture-file.ts,
// `npm run fixture -- --shape 7b`): here a small shape, read back by the engine's own GGUF reader —
// every tensor where the header says, of its type and size, the config the app reads equal to the
// shape's — and a file that exists already is never written over.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shapedFixture, writeFixtureFile } from '../../src/model/fixture-file';
import { readGguf, readTensorBytes } from '../../src/gguf/reader';
import { fileSource } from '../../src/cli/file-source';
import { llamaConfig } from '../../src/model/read-config';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import { SMALL_SHAPE } from '../helpers/small-shape';

describe('fixture files of a real shape', () => {
  it('writes a GGUF the engine reads back: config, every tensor in place, of its type and size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-fixture-'));
    const path = join(dir, 'small.gguf');
    const o = shapedFixture(SMALL_SHAPE, GgmlType.Q4_0);
    const size = writeFixtureFile(o, path);
    expect(statSync(path).size).toBe(size);
    const file = await readGguf(fileSource(path));
    const c = llamaConfig(file);
    for (const k of [
      'embeddingLength',
      'blockCount',
      'feedForwardLength',
      'headCount',
      'headCountKv',
      'vocabSize',
      'contextLength',
    ] as const)
      expect(c[k], k).toBe(SMALL_SHAPE[k]);
    // 1 embedding + 2 × (2 norms + 7 matrices) + output norm + head
    expect(file.tensors.size).toBe(1 + 2 * 9 + 2);
    const q = file.tensors.get('blk.1.ffn_down.weight')!;
    expect(q.type).toBe(GgmlType.Q4_0);
    expect(q.dims).toEqual([192, 128]);
    // the data section ends where the file does: every tensor's bytes written in header order
    const last = [...file.tensors.values()].reduce((a, t) => (t.offset > a.offset ? t : a));
    expect(last.offset + last.bytes).toBe(size);
    const bytes = await readTensorBytes(file, q.name);
    expect(bytes.byteLength).toBe(((192 * 128) / 32) * BLOCK[GgmlType.Q4_0]!.bytes);
    // the bytes are the seeded random blocks, not zeros or another tensor's
    expect(bytes.some((b) => b !== 0)).toBe(true);
    const up = await readTensorBytes(file, 'blk.1.ffn_up.weight');
    expect(Buffer.from(up).equals(Buffer.from(bytes.subarray(0, up.byteLength)))).toBe(false);
    expect(file.tensors.get('token_embd.weight')!.type).toBe(GgmlType.Q8_0);
    // the same options give the same file
    const again = join(dir, 'again.gguf');
    writeFixtureFile(o, again);
    expect(readFileSync(again).equals(readFileSync(path))).toBe(true);
  });

  it('never writes over a file that exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-fixture-'));
    const path = join(dir, 'mine.gguf');
    writeFileSync(path, 'not to be lost');
    expect(() => writeFixtureFile(shapedFixture(SMALL_SHAPE, GgmlType.Q4_0), path)).toThrow(
      /EEXIST/,
    );
    expect(readFileSync(path, 'utf8')).toBe('not to be lost');
  });
});
