// Sharded runs merged (`npm run analyze -- --shard I/N --shard-by …`, `npm run merge`) against
// the unsharded run on a fixture model (reference backend): by units, a 3-way shard merged is the
// unsharded results bit for bit; by samples, merged through the shards' per-weight sums, every
// sample's numbers are equal and density differs only where a mean lies within rounding of a
// threshold or a histogram edge (counted here); mismatched, repeated or missing shards refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/analysis/results';
import { fixtureBytes } from '../helpers/fixtures';
import { analyzeCli, cliFailure } from '../helpers/cli';
import { readSafetensors } from '../helpers/safetensors';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { parseShard, shardUnits } from '../../src/engine/shard';

const run = promisify(execFile);
const mergeCli = (args: string[]) =>
  run(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-raw.mjs', 'src/cli/merge.ts', ...args],
    { cwd: process.cwd(), maxBuffer: 1 << 26 },
  );
const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Results;
/** What must be equal: everything but the date. */
const numbers = (r: Results) => JSON.stringify({ ...r, createdAt: undefined });

describe('sharded runs, merged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-shard-'));
  const model = join(dir, 'f32.gguf');
  writeFileSync(model, fixtureBytes('f32'));
  const texts = [
    'the cat sat',
    'on the mat',
    'in the beginning',
    'it is the end',
    'an apple',
    'the dog',
  ];
  for (const s of ['A', 'B', 'C', 'D'])
    writeFileSync(join(dir, `${s}.txt`), texts.map((t) => `${t} ${s}`).join('\n'));
  const sets = ['A', 'B', 'C', 'D'].flatMap((s) => ['--set', `${s}=${join(dir, `${s}.txt`)}`]);
  const common = [
    '--model',
    model,
    '--split',
    'lines',
    '--threshold',
    '1e-3',
    '--threshold',
    '1e-2',
  ];

  it('by units: three shards merged equal the unsharded run bit for bit', async () => {
    const args = [...common, ...sets, '--pair', 'A:B'];
    await analyzeCli([...args, '--out', join(dir, 'whole.json')]);
    const parts = [0, 1, 2].map((i) => join(dir, `u${i}.json`));
    for (const [i, out] of parts.entries())
      await analyzeCli([...args, '--shard', `${i}/3`, '--shard-by', 'units', '--out', out]);
    expect(parts.map((p) => read(p).sets.map((s) => s.name))).toEqual([['A', 'B'], ['C'], ['D']]);
    // given in any order
    await mergeCli([parts[2], parts[0], parts[1], '--out', join(dir, 'merged.json')]);
    const [whole, merged] = [read(join(dir, 'whole.json')), read(join(dir, 'merged.json'))];
    expect(merged.shard).toBeUndefined();
    expect(numbers(merged)).toBe(numbers(whole));

    // a shard twice, one missing, one of another run: refused by name, nothing written
    const again = await cliFailure(mergeCli, [
      parts[0],
      parts[0],
      parts[1],
      '--out',
      join(dir, 'x.json'),
    ]);
    expect(again.stderr).toMatch(/u0\.json: shard 0\/3 again \(also .*u0\.json\)/);
    const missing = await cliFailure(mergeCli, [parts[0], parts[1], '--out', join(dir, 'x.json')]);
    expect(missing.stderr).toMatch(/shard\(s\) 2\/3 missing/);
    const other = join(dir, 'other.json');
    await analyzeCli([
      ...['--model', model, '--split', 'lines', '--threshold', '5e-3'],
      ...sets,
      '--pair',
      'A:B',
      '--shard',
      '2/3',
      '--shard-by',
      'units',
      '--out',
      other,
    ]);
    const mixed = await cliFailure(mergeCli, [
      parts[0],
      parts[1],
      other,
      '--out',
      join(dir, 'x.json'),
    ]);
    expect(mixed.stderr).toMatch(/other\.json: a shard of another run than .*u0\.json/);
    expect(() => readFileSync(join(dir, 'x.json'))).toThrow();
  }, 180_000);

  it('by samples: merged through the per-weight sums, samples equal and density within rounding', async () => {
    const args = [
      ...common,
      '--set',
      `A=${join(dir, 'A.txt')}`,
      '--set',
      `B=${join(dir, 'B.txt')}`,
    ];
    await analyzeCli([...args, '--out', join(dir, 'sw.json'), '--scores-out', join(dir, 'sw')]);
    const shards = [0, 1];
    for (const i of shards)
      await analyzeCli([
        ...args,
        ...['--shard', `${i}/2`, '--shard-by', 'samples'],
        ...['--out', join(dir, `s${i}.json`), '--scores-out', join(dir, `s${i}`)],
      ]);
    expect(read(join(dir, 's1.json')).sets[0].samples.map((s) => s.source)).toHaveLength(3);
    await mergeCli([
      join(dir, 's0.json'),
      join(dir, 's1.json'),
      ...['--scores', join(dir, 's0'), '--scores', join(dir, 's1')],
      ...['--out', join(dir, 'sm.json'), '--scores-out', join(dir, 'sm')],
    ]);
    const [whole, merged] = [read(join(dir, 'sw.json')), read(join(dir, 'sm.json'))];
    for (const [i, set] of whole.sets.entries()) {
      const m = merged.sets[i];
      expect(JSON.stringify(m.samples)).toBe(JSON.stringify(set.samples));
      expect(m.density.samples).toBe(6);
      // counts and histogram bins: equal but where a mean sits on an edge (none here, stated)
      const flat = (x: unknown) =>
        (JSON.stringify(x).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
      const diff = (a: unknown, b: unknown) => flat(a).filter((x, k) => x !== flat(b)[k]).length;
      expect(diff(m.density.counts, set.density.counts)).toBe(0);
      expect(diff(m.density.histograms, set.density.histograms)).toBe(0);
      const c = compareArrays(m.density.sumMeanA.flat(), set.density.sumMeanA.flat(), {
        rel: 1e-6,
        abs: 0,
      });
      expect(c.ok, describeComparison(`${set.name} Σ mean A`, c)).toBe(true);
      const [sw, sm] = await Promise.all(
        ['sw', 'sm'].map((d) => readSafetensors(join(dir, d, `${set.name}.safetensors`))),
      );
      expect(sm.metadata.token_ids_sha256).toBe(sw.metadata.token_ids_sha256);
      expect(sm.metadata.samples).toBe('6');
      for (const [t, { values }] of Object.entries(sw.tensors)) {
        const ct = compareArrays(sm.tensors[t].values, values, { rel: 1e-6, abs: 0 });
        expect(ct.ok, describeComparison(t, ct)).toBe(true);
      }
    }
    // a shard's sums given for the other shard: refused by what does not match
    const swapped = await cliFailure(mergeCli, [
      join(dir, 's0.json'),
      join(dir, 's1.json'),
      ...['--scores', join(dir, 's1'), '--scores', join(dir, 's0')],
      ...['--out', join(dir, 'bad.json')],
    ]);
    expect(swapped.stderr).toMatch(/scores of .*s0\.json, set "A": token_ids_sha256 is /);
  }, 180_000);

  it('refuses shards it cannot make', async () => {
    const base = [...common, '--set', `A=${join(dir, 'A.txt')}`, '--out', join(dir, 'n.json')];
    expect((await cliFailure(analyzeCli, [...base, '--shard', '0/2'])).stderr).toMatch(
      /--shard needs --shard-by units\|samples/,
    );
    expect(
      (await cliFailure(analyzeCli, [...base, '--shard', '0/2', '--shard-by', 'units'])).stderr,
    ).toMatch(/1 unit\(s\).*at most 1/);
    expect(
      (await cliFailure(analyzeCli, [...base, '--shard', '0/2', '--shard-by', 'samples'])).stderr,
    ).toMatch(/needs --scores-out/);
    expect(
      (await cliFailure(analyzeCli, [...base, '--shard', '2/2', '--shard-by', 'units'])).stderr,
    ).toMatch(/expected I\/N/);
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    const set = (name: string) => ({ name, samples: [] });
    expect(
      shardUnits({ sets: ['A', 'B', 'C', 'D'].map(set), pairs: [{ a: 'D', b: 'B' }] }),
    ).toEqual([[0], [1, 3], [2]]);
  }, 120_000);
});
