// A fixture model whose write fails midway (the disk full: ENOSPC on the third write) leaves no
// partial file under its name, and says why (src/model/fixture-file.ts).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { shapedFixture, writeFixtureFile } from '../../src/model/fixture-file';
import { SMALL_SHAPE } from '../helpers/small-shape';
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

describe('a fixture file that cannot be written whole', () => {
  it('is removed, and the error names the cause', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'paramscope-full-')), 'm.gguf');
    expect(() => writeFixtureFile(shapedFixture(SMALL_SHAPE, GgmlType.Q4_0), path)).toThrow(
      /ENOSPC/,
    );
    expect(writes).toBe(3);
    expect(existsSync(path)).toBe(false);
  });
});
