// The SLURM job array of docs/CLUSTER.md run for real on a single-node SLURM started here
// (tests/helpers/slurm.ts): scripts/slurm/submit.sh submits 3 array tasks, one shard of the run
// each (by units), and the merge once all succeeded; the merged results equal the unsharded run's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/analysis/results';
import { fixtureBytes } from '../helpers/fixtures';
import { analyzeCli } from '../helpers/cli';
import { startSlurm, waitForJob, type Slurm } from '../helpers/slurm';

const run = promisify(execFile);

describe('a sharded run as a SLURM job array', () => {
  let slurm: Slurm | undefined;
  afterAll(() => slurm?.stop());

  it('3 array tasks and a merge after them equal the unsharded run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-slurm-'));
    const model = join(dir, 'f32.gguf');
    writeFileSync(model, fixtureBytes('f32'));
    for (const s of ['A', 'B', 'C'])
      writeFileSync(join(dir, `${s}.txt`), `the cat ${s}\nin the beginning ${s}\n`);
    const args = [
      ...['--model', model, '--split', 'lines', '--threshold', '1e-3'],
      ...['A', 'B', 'C'].flatMap((s) => ['--set', `${s}=${join(dir, `${s}.txt`)}`]),
    ];
    await analyzeCli([...args, '--out', join(dir, 'whole.json')]);
    slurm = await startSlurm(join(dir, 'slurm'));
    const out = join(dir, 'out');
    const { stdout } = await run('scripts/slurm/submit.sh', ['3', out, ...args], {
      env: slurm.env,
    });
    const mergeJob = stdout.trim();
    expect(mergeJob).toMatch(/^\d+$/);
    await waitForJob(slurm.env, mergeJob, 240_000);
    const log = (f: string) => {
      try {
        return readFileSync(join(out, f), 'utf8');
      } catch {
        return '(none)';
      }
    };
    const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Results;
    let merged: Results;
    try {
      merged = read(join(out, 'merged.json'));
    } catch {
      throw new Error(
        `no merged results; merge log: ${log('merge.log')}; shard 0: ${log('shard-0.log')}`,
      );
    }
    const whole = read(join(dir, 'whole.json'));
    const numbers = (r: Results) => JSON.stringify({ ...r, createdAt: undefined });
    expect(numbers(merged)).toBe(numbers(whole));
    expect(
      [0, 1, 2].map((i) => read(join(out, `shard-${i}.json`)).sets.map((s) => s.name)),
    ).toEqual([['A'], ['B'], ['C']]);
  }, 300_000);
});
