// The command-line tools never write over their inputs, refuse an output folder they cannot use
// before any work, and write each output whole (a temporary file renamed at the end).
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../helpers/fixtures';
import { analyzeCli, cliFailure, pruneCli, stsCli } from '../helpers/cli';
import { checkOutputs, writeOutput } from '../../src/cli/outputs';

describe('CLI outputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-out-'));
  const model = join(dir, 'm.gguf');
  writeFileSync(model, fixtureBytes('f32'));
  const set = join(dir, 'a.txt');
  writeFileSync(set, 'the cat sat on the mat\n');
  const pairs = join(dir, 'p.tsv');
  writeFileSync(pairs, 'sentence1\tsentence2\tscore\nthe cat\tthe dog\t3\nan apple\tthe end\t1\n');
  const modelBytes = readFileSync(model);

  it('analyze --out naming the model, a set file or a link to one is refused, the inputs intact', async () => {
    const link = join(dir, 'link.gguf');
    symlinkSync(model, link);
    const hard = join(dir, 'hard.txt');
    linkSync(set, hard);
    for (const out of [model, set, link, hard, join(dir, '.', 'm.gguf')]) {
      const e = await cliFailure(analyzeCli, ['--model', model, '--set', `A=${set}`, '--out', out]);
      expect(e.code).toBe(2);
      expect(e.stderr).toMatch(
        /--out .* is the input --(model|set): an output never replaces an input/,
      );
    }
    expect(readFileSync(model).equals(modelBytes)).toBe(true);
    expect(readFileSync(set, 'utf8')).toBe('the cat sat on the mat\n');
  });

  it('sts --out = --pairs and prune --write-gguf = --model are refused; prune outputs must differ', async () => {
    let e = await cliFailure(stsCli, ['--model', model, '--pairs', pairs, '--out', pairs]);
    expect(e.stderr).toMatch(/--out .* is the input --pairs/);
    const prune = (out: string, gguf: string) =>
      cliFailure(pruneCli, [
        ...['--model', model, '--eval', set, '--method', 'magnitude'],
        ...['--out', out, '--write-gguf', gguf],
      ]);
    e = await prune(join(dir, 'p.json'), model);
    expect(e.stderr).toMatch(/--write-gguf .* is the input --model/);
    const same = join(dir, 'same.out');
    e = await prune(same, same);
    expect(e.stderr).toMatch(/--write-gguf .* is the output --out/);
    expect(readFileSync(pairs, 'utf8')).toContain('the cat\tthe dog');
  });

  it('a missing or read-only folder, or a folder as --out, is refused before the run', async () => {
    let e = await cliFailure(analyzeCli, [
      '--model',
      model,
      '--set',
      `A=${set}`,
      '--out',
      join(dir, 'nope', 'r.json'),
    ]);
    expect(e.stderr).toMatch(/the folder .*nope does not exist/);
    e = await cliFailure(analyzeCli, ['--model', model, '--set', `A=${set}`, '--out', dir]);
    expect(e.stderr).toMatch(/is a folder/);
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    // root may write anywhere: the check is the same access() the kernel answers
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) {
      e = await cliFailure(analyzeCli, [
        '--model',
        model,
        '--set',
        `A=${set}`,
        '--out',
        join(ro, 'r.json'),
      ]);
      expect(e.stderr).toMatch(/cannot be written/);
    } else {
      await expect(
        checkOutputs([{ flag: '--out', path: join(ro, 'r.json') }], []),
      ).resolves.toBeUndefined();
    }
  });

  it('writeOutput leaves the whole file under its name and no partial file', async () => {
    const out = join(dir, 'w', 'x.json');
    mkdirSync(join(dir, 'w'));
    writeFileSync(out, 'old');
    await writeOutput(out, '{"new": true}');
    expect(readFileSync(out, 'utf8')).toBe('{"new": true}');
    expect(readdirSync(join(dir, 'w'))).toEqual(['x.json']);
    // a write that fails (the name is a folder) leaves nothing behind
    const bad = join(dir, 'w', 'sub');
    mkdirSync(bad);
    await expect(writeOutput(bad, 'x')).rejects.toThrow();
    expect(readdirSync(join(dir, 'w')).sort()).toEqual(['sub', 'x.json']);
    expect(existsSync(join(dir, 'w', 'sub', 'x'))).toBe(false);
  });
});
