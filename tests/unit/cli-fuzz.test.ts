// `npm run analyze` end to end (its main(), in this process: arguments, files on disk, reader,
// config, tokenizer, reference run, results) on 300 corrupted models, sample files and argument
// lists. Each case writes a results file that validates, or fails with one printable line of
// ≤ 300 characters that names what is wrong — never a stack, never results from a bad input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/analyze';
import { validateResults } from '../../src/analysis/results';
import { mulberry32 } from '../../src/util/random';
import { fixtureBytes } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'paramscope-cli-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLES: Record<string, string> = {
  'a.jsonl': '{"text": "the dog and the cat"}\n{"text": "it is the end"}\n',
  'b.csv': 'text\nan apple\n"the dog, the cat"\n',
  'c.txt': 'one sample of text\n',
};

describe('analyze CLI fuzz', () => {
  it('300 corrupted inputs: validated results or a one-line named error', async () => {
    const rnd = mulberry32(21);
    const pick = (n: number) => Math.floor(rnd() * n);
    const good = fixtureBytes('f32');
    const tally = { results: 0, error: 0 };
    const errors = new Set<string>();
    // the runs print progress and a summary: keep the test output quiet
    const log = console.log;
    console.log = () => {};
    try {
      for (let i = 0; i < 300; i++) {
        const model = join(dir, `m${i}.gguf`);
        const out = join(dir, `r${i}.json`);
        let bytes = good;
        const kind = i % 3;
        if (kind === 0) {
          // the model corrupted: truncated, flipped or overwritten bytes
          bytes = good.slice(0, pick(3) === 0 ? pick(good.length) : good.length);
          for (let k = 0; k < 1 + pick(6); k++)
            bytes[pick(Math.min(bytes.length, 12000))] = pick(256);
        }
        writeFileSync(model, bytes);
        const sets: string[] = [];
        for (const [name, text] of Object.entries(SAMPLES)) {
          let t = text;
          if (kind === 1 && pick(2) === 0) {
            const at = pick(t.length);
            t =
              t.slice(0, at) +
              ['\u0000', '"', '{', '\n', ',', '[[[', '\ud800'][pick(7)] +
              t.slice(at + 1);
          }
          const path = join(dir, `${i}-${name}`);
          writeFileSync(path, t);
          sets.push('--set', `${name.split('.')[0]}=${path}`);
        }
        let args = ['--model', model, ...sets, '--max-tokens', '6', '--out', out];
        if (kind === 2) {
          // arguments: a missing file, a directory, a duplicate or malformed set, bad numbers
          const bad = [
            ['--model', join(dir, 'missing.gguf')],
            ['--model', dir],
            ['--set', sets[1]],
            ['--set', 'noequals'],
            ['--set', `x=${dir}`],
            ['--max-tokens', String([0, -3, 1.5, NaN][pick(4)])],
            ['--threshold', ['-1', 'abc', 'Infinity'][pick(3)]],
            ['--pair', ['a', 'a:b:c:d', 'a:zz', 'a:b:-1'][pick(4)]],
            ['--metric', 'nope'],
          ][pick(9)];
          args = [...args, ...bad];
        }
        try {
          expect(await main(args)).toBe(0);
          const r = JSON.parse(readFileSync(out, 'utf8'));
          expect(validateResults(r)).toEqual([]);
          tally.results++;
        } catch (e) {
          const m = (e as Error).message ?? '';
          if (!m || m.length > 300 || /[\u0000-\u001f\u007f-\u009f]/.test(m) || /^internal/.test(m))
            throw new Error(
              `case ${i}: unreadable or internal error: ${JSON.stringify(m.slice(0, 400))}`,
            );
          errors.add(m.replace(/\d+/g, 'N').replace(dir, 'DIR').slice(0, 60));
          tally.error++;
        }
      }
    } finally {
      console.log = log;
    }
    console.log('CLI fuzz outcomes', JSON.stringify(tally), `${errors.size} kinds of error:`, [
      ...errors,
    ]);
    expect(tally.results + tally.error).toBe(300);
    expect(tally.results).toBeGreaterThan(20);
    expect(tally.error).toBeGreaterThan(100);
  });
});
