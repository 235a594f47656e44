// `npm run bench -- --workload SETSxSAMPLES --gpu-budget GiB` on the tiny shape: the workload runs
// as the app runs it (a set at a time, each planned under the budget: src/engine/incremental.ts),
// its row says so (units, the largest unit's plan within the budget); a budget below what any
// plan needs is refused in one line with the numbers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchCli, cliFailure } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'paramscope-bench-'));
const base = '--shape tiny --types q4_0 --skip-ops --rows none --repeat 1'.split(' ');

describe('npm run bench --workload under a budget', () => {
  it('runs the sets as the app does, each unit planned within the budget', async () => {
    const out = join(dir, 'wl.json');
    const budget = 2;
    await benchCli([
      ...base,
      '--tokens',
      '12',
      '--workload',
      '3x2',
      '--gpu-budget',
      `${budget}`,
      '--out',
      out,
    ]);
    const row = JSON.parse(readFileSync(out, 'utf8')).samples[0];
    expect(row.units).toBe(3);
    expect(row.samples).toBe(6);
    expect(row.T).toBe(12);
    expect(row.memory.total).toBeLessThanOrEqual(budget * 2 ** 30);
    expect(row.savedInputs).toBe(row.memory.savedOn);
    expect(Number.isFinite(row.seconds) && row.seconds > 0).toBe(true);
  }, 180_000);

  it('refuses a budget no plan fits, with the numbers', async () => {
    const e = await cliFailure(benchCli, [
      ...base,
      '--tokens',
      '12',
      '--workload',
      '2x2',
      '--gpu-budget',
      '0.01',
    ]);
    expect(e.code).not.toBe(0);
    expect(e.stderr).toMatch(
      /the run needs [\d.]+ GiB of GPU memory .* but the budget is 0\.01 GiB/,
    );
  }, 180_000);
});
