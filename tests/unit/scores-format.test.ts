// The safetensors header of per-parameter scores files (src/scores/safetensors.ts): what we write
// parses back to the same layout, and hostile headers (claimed lengths, holes, overlaps, types,
// shapes) are refused with a reason; the writer refuses to finish an incomplete file and leaves
// nothing behind.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildHeader,
  headerLength,
  MAX_HEADER_BYTES,
  parseHeader,
} from '../../src/scores/safetensors';
import { ScoresWriter } from '../../src/scores/writer';
import { positionedFile, scoresFileName } from '../../src/cli/scores-out';
import { scoredTensors } from '../../src/scores/layout';
import { MATRICES, MATRIX_TENSOR } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { fixtureFile } from '../helpers/fixtures';

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('safetensors headers', () => {
  it('round-trips: lengths padded to 8, tensors back to back', () => {
    const { bytes, header } = buildHeader(
      [
        { name: 'a', shape: [2, 3] },
        { name: 'b', shape: [5, 1] },
      ],
      { schema: 'x', set: 'ü' },
    );
    expect(bytes.length % 8).toBe(0);
    const n = headerLength(bytes.subarray(0, 8), bytes.length + header.dataBytes);
    const back = parseHeader(bytes.subarray(8, 8 + n), bytes.length + header.dataBytes);
    expect(back).toEqual(header);
    expect(header.tensors.map((t) => t.offsets)).toEqual([
      [0, 24],
      [24, 44],
    ]);
  });

  it('refuses hostile headers with a reason', () => {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => headerLength(len, 1e9)).toThrow(/claims a .*-byte header/);
    new DataView(len.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(() => headerLength(len, 1e12)).toThrow(/at most/);
    expect(() => headerLength(new Uint8Array(3), 3)).toThrow(/shorter/);
    const t = (o: object, size: number) => () => parseHeader(enc(o), size);
    const n = (o: object) => 8 + enc(o).length;
    expect(() => parseHeader(new TextEncoder().encode('{nope'), 100)).toThrow(/not JSON/);
    expect(t([1, 2], n([1, 2]))).toThrow(/not a JSON object/);
    const hole = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(t(hole, n(hole) + 8)).toThrow(/hole or overlaps/);
    const f16 = { a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } };
    expect(t(f16, n(f16) + 4)).toThrow(/dtype F16, expected F32/);
    const bad = { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expect(t(bad, n(bad) + 8)).toThrow(/do not match its shape/);
    const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
    expect(t(ok, n(ok) + 9)).toThrow(/take 8 bytes but the file holds 9/);
    const meta = { __metadata__: { k: 1 } };
    expect(t(meta, n(meta))).toThrow(/__metadata__.k is not a string/);
  });

  it('set names become safe file names', () => {
    expect(scoresFileName('A')).toBe('A.safetensors');
    expect(scoresFileName('../../etc/passwd')).toBe('__.._etc_passwd.safetensors');
    expect(scoresFileName('')).toBe('_.safetensors');
    expect(scoresFileName('a b/c')).toBe('a_b_c.safetensors');
  });
});

describe('the scores writer', () => {
  it('refuses to finish an incomplete file and leaves nothing; a complete one is renamed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-writer-'));
    const c = llamaConfig(await fixtureFile('f32'));
    const meta = {
      set: 's',
      model: 'm',
      modelKey: 'k',
      metric: 'magnitude',
      samples: 1,
      maxTokens: 8,
      tokenIds: 'h',
      tool: 't',
    };
    const partial = await ScoresWriter.open(c, meta, await positionedFile(join(dir, 'p.st')));
    await expect(partial.finish()).rejects.toThrow(/scores incomplete: 0 of 21 matrices written/);
    expect(readdirSync(dir)).toEqual([]);
    const w = await ScoresWriter.open(c, meta, await positionedFile(join(dir, 'w.st')));
    expect(readdirSync(dir)[0]).toMatch(/^w\.st\.partial-\d+$/);
    const shapes = scoredTensors(c);
    expect(shapes).toHaveLength(21);
    for (let l = 0; l < c.blockCount; l++)
      for (const m of MATRICES) {
        const t = shapes.find((s) => s.name === `blk.${l}.${MATRIX_TENSOR[m]}.weight`)!;
        await w.put(l, m, new Float32Array(t.shape[0] * t.shape[1]).fill(l + 1));
      }
    await expect(w.put(0, 'q', new Float32Array(3))).rejects.toThrow(/3 values, expected/);
    await w.finish();
    expect(readdirSync(dir)).toEqual(['w.st']);
    expect(readFileSync(join(dir, 'w.st')).length).toBe(w.size);
  });
});
