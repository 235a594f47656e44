// The scores file when the disk fills mid-write (issue: "disk full while streaming scores: a
// named error and no truncated file left under the final name"): src/cli/scores-out.ts's file,
// opened for real, its writes failing with ENOSPC after the first few kilobytes as a full disk's
// do; the writer's error names the file and the cause, and abort leaves nothing under either name.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionedFile } from '../../src/cli/scores-out';
import { ScoresWriter } from '../../src/scores/writer';
import type { ScoresMeta } from '../../src/scores/layout';
import { MATRICES, matrixShape } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { fixtureFile } from '../helpers/fixtures';

/** fs.promises.open whose handles' writes fail with ENOSPC once `room` bytes are written. */
function fullAfter(room: number) {
  return async (p: string, flags: string): Promise<FileHandle> => {
    const fh = await open(p, flags);
    let used = 0;
    const write = fh.write.bind(fh) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
    (fh as unknown as { write: unknown }).write = async (...a: unknown[]) => {
      const data = a[0] as Uint8Array;
      const length = (a[2] as number | undefined) ?? data.length;
      if (used + length > room)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      used += length;
      return write(...a);
    };
    return fh;
  };
}

describe('scores file on a full disk', () => {
  it('fails with the file and "the disk is full", and abort leaves no file under any name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-full-'));
    const path = join(dir, 'set.safetensors');
    const c = llamaConfig(await fixtureFile('f32'));
    const meta: ScoresMeta = {
      set: 'set',
      model: 'f32 fixture',
      modelKey: '0'.repeat(64),
      metric: 'grad_x_weight',
      samples: 2,
      maxTokens: 8,
      tokenIds: '0'.repeat(64),
      tool: 'test',
    };
    const file = await positionedFile(path, fullAfter(8192));
    const w = await ScoresWriter.open(c, meta, file);
    let error: Error | null = null;
    try {
      for (let l = 0; l < c.blockCount; l++)
        for (const m of MATRICES) {
          const { O, I } = matrixShape(c, m);
          await w.put(l, m, new Float32Array(O * I).fill(1));
        }
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe(`writing scores to ${path}: the disk is full`);
    // the partial file exists until the run aborts it; never the final name
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('set.safetensors.partial-'))).toBe(true);
    await w.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});
