// `npm run analyze -- … --backend gpu --precision f16` on Mesa lavapipe: the results record the
// precision and stay within the f16 bar (1e-2 relative) of the reference backend's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResults, type Results } from '../../src/analysis/results';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { fixtureBytes } from '../helpers/fixtures';
import { analyzeCli } from '../helpers/cli';
import { resultNumbers } from '../helpers/results';

describe('npm run analyze --backend gpu --precision f16', () => {
  it('q4_0 fixture: within 1e-2 of the reference backend, precision recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-cli-f16-'));
    writeFileSync(join(dir, 'a.txt'), 'the cat sat on the mat\n\nin the beginning was the word\n');
    writeFileSync(join(dir, 'b.txt'), 'the dog and the cat\n\nit is the end of the tale\n');
    const model = join(dir, 'q4_0.gguf');
    writeFileSync(model, fixtureBytes('q4_0'));
    const common = ['--model', model, '--set', `A=${join(dir, 'a.txt')}`];
    const more = ['--set', `B=${join(dir, 'b.txt')}`, '--split', 'paragraphs', '--pair', 'A:B'];
    const g = await analyzeCli([
      ...common,
      ...more,
      '--backend',
      'gpu',
      '--precision',
      'f16',
      '--out',
      join(dir, 'gpu.json'),
    ]);
    expect(g.stderr).toMatch(/adapter: .*llvmpipe.*precision f16/i);
    await analyzeCli([...common, ...more, '--out', join(dir, 'ref.json')]);
    const rg = JSON.parse(readFileSync(join(dir, 'gpu.json'), 'utf8')) as Results;
    const rr = JSON.parse(readFileSync(join(dir, 'ref.json'), 'utf8')) as Results;
    expect(validateResults(rg)).toEqual([]);
    expect(rg.engine).toMatchObject({ backend: 'gpu', precision: 'f16' });
    const c = compareArrays(resultNumbers(rg), resultNumbers(rr), { rel: 1e-2, abs: 1e-12 });
    expect(c.ok, describeComparison('gpu f16 vs reference', c)).toBe(true);
  });
});
