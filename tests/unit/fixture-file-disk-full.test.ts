// A fixture model whose write fails midway (the disk full: ENOSPC on the third write) leaves no
// partial file under its name, and says why (src/model/fixture-file.ts).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { shapedFixture, writeFixtureFile } from '../../src/model/fixture-file';
import { LLAMA2_7B } from '../../src/gpu/synthetic';
import { GgmlType } from '../../src/gguf/types';

let writes = 0;
vi.mock('node:fs', async (original) => {
  const fs = await original<typeof import('node:fs')>();
  return {
    ...fs,
    writeSync: (...a: Parameters<typeof fs.writeSync>) => {
      if (++writes === 3)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      return fs.writeSync(...a);
    },
  };
});

const SMALL = {
  ...LLAMA2_7B,
  name: 'small',
  embeddingLength: 128,
  blockCount: 2,
  feedForwardLength: 192,
  headCount: 4,
  headCountKv: 2,
  headDim: 32,
  ropeDims: 32,
  vocabSize: 400,
};

describe('a fixture file that cannot be written whole', () => {
  it('is removed, and the error names the cause', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'paramscope-full-')), 'm.gguf');
    expect(() => writeFixtureFile(shapedFixture(SMALL, GgmlType.Q4_0), path)).toThrow(/ENOSPC/);
    expect(writes).toBe(3);
    expect(existsSync(path)).toBe(false);
  });
});
