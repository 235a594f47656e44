// `npm run analyze` end to end on fixture models: the results file validates against the
// schema and its numbers equal an independent f64 reference computation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResults, type Results } from '../../src/analysis/results';
import { llamaScores } from '../../src/reference/llama';
import { weightsToF64 } from '../../src/model/weights';
import { MATRICES } from '../../src/model/config';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import { llmdcos } from '../../src/analysis/llmdcos';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { fixtureBytes, fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { analyzeCli } from '../helpers/cli';

const CLI_VS_F64 = { rel: 1e-4, abs: 1e-9 };
const cli = analyzeCli;

describe('npm run analyze (reference backend)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-cli-'));
  writeFileSync(
    join(dir, 'a.jsonl'),
    '{"text": "the cat sat on the mat"}\n{"text": "in the beginning"}\n{"tokens": [1, 300, 301, 302]}\n',
  );
  writeFileSync(join(dir, 'b.csv'), 'text\nthe dog and the cat\nit is the end\nan apple\n');

  for (const name of ['f32', 'q8_0'] as const) {
    it(`${name}: results validate and match the f64 reference`, async () => {
      const model = join(dir, `${name}.gguf`);
      writeFileSync(model, fixtureBytes(name));
      const out = join(dir, `${name}.json`);
      await cli([
        '--model',
        model,
        '--set',
        `A=${join(dir, 'a.jsonl')}`,
        '--set',
        `B=${join(dir, 'b.csv')}`,
        '--pair',
        'A:B',
        '--threshold',
        '1e-3',
        '--threshold',
        '1e-2',
        '--out',
        out,
      ]);
      const r = JSON.parse(readFileSync(out, 'utf8')) as Results;
      expect(validateResults(r)).toEqual([]);
      expect(r.sets.map((s) => s.samples.length)).toEqual([3, 3]);
      expect(r.pairs[0].llmdcos).toHaveLength(3);

      const w = weightsToF64(await fixtureWeights(name));
      const tok = tokenizerFromGguf(await fixtureFile(name));
      const a0 = sampleTokens({ source: 'x', text: 'the cat sat on the mat' }, tok);
      const b0 = sampleTokens({ source: 'x', text: 'the dog and the cat' }, tok);
      expect(r.sets[0].samples[0].tokenIds).toEqual(a0);
      const ra = llamaScores(w, a0);
      const rb = llamaScores(w, b0);
      expect(r.sets[0].samples[0].argmax).toBe(ra.argmax);
      const got: number[] = [];
      const want: number[] = [];
      const cosGot: number[] = [];
      const cosWant: number[] = [];
      for (let l = 0; l < w.config.blockCount; l++) {
        const sa: Float64Array[] = [];
        const sb: Float64Array[] = [];
        MATRICES.forEach((m, mi) => {
          const W = w.layers[l].matrices[m];
          const A = W.map((x, i) => Math.abs(x * ra.grads[l][m][i]));
          const B = W.map((x, i) => Math.abs(x * rb.grads[l][m][i]));
          sa.push(A);
          sb.push(B);
          got.push(r.sets[0].samples[0].sumA[l][mi], r.sets[0].samples[0].maxA[l][mi]);
          want.push(
            A.reduce((s, x) => s + x, 0),
            A.reduce((s, x) => Math.max(s, x), 0),
          );
        });
        cosGot.push(r.pairs[0].llmdcos[0][l]);
        cosWant.push(llmdcos(sa, sb));
      }
      const c1 = compareArrays(got, want, CLI_VS_F64);
      expect(c1.ok, describeComparison('sumA/maxA', c1)).toBe(true);
      const c2 = compareArrays(cosGot, cosWant, CLI_VS_F64);
      expect(c2.ok, describeComparison('llmdcos', c2)).toBe(true);
      expect(r.sets[0].samples[0].maxLogit).toBeCloseTo(ra.maxLogit, 4);
    });
  }

  it('refuses bad arguments with the usage and a bad model with a named error', async () => {
    await expect(cli(['--model', 'x.gguf'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--model, --set and --out are required[\s\S]*usage/),
    });
    const bad = join(dir, 'bad.gguf');
    writeFileSync(bad, 'not a model at all, just text');
    await expect(
      cli(['--model', bad, '--set', `A=${join(dir, 'a.jsonl')}`, '--out', join(dir, 'x.json')]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('bad.gguf: not a GGUF file: starts with "not "'),
    });
  });

  it('names the path and what is wrong with it, and refuses a set name given twice', async () => {
    const model = join(dir, 'm.gguf');
    writeFileSync(model, fixtureBytes('f32'));
    const a = join(dir, 'a.jsonl');
    const out = join(dir, 'x.json');
    const missing = join(dir, 'nope.gguf');
    const err = (args: string[]) =>
      cli(args).then(
        () => ({ code: 0, stderr: '' }),
        (e) => e,
      );
    const r1 = await err(['--model', missing, '--set', `A=${a}`, '--out', out]);
    expect(r1.code).toBe(2);
    expect(r1.stderr.split('\n')[0]).toBe(`--model "${missing}": no such file`);
    const r2 = await err(['--model', dir, '--set', `A=${a}`, '--out', out]);
    expect(r2.stderr.split('\n')[0]).toBe(`--model "${dir}": is a directory, not a file`);
    const r3 = await err(['--model', model, '--set', `A=${dir}`, '--out', out]);
    expect(r3.stderr.split('\n')[0]).toBe(`--set A="${dir}": is a directory, not a file`);
    const r4 = await err(['--model', model, '--set', `A=${a}`, '--set', `A=${a}`, '--out', out]);
    expect(r4.code).toBe(2);
    expect(r4.stderr.split('\n')[0]).toBe('--set "A" is given twice: each set needs its own name');
  });
});

describe('results schema', () => {
  it('the documented example validates', () => {
    const r = JSON.parse(readFileSync('docs/examples/results-f32-fixture.json', 'utf8'));
    expect(validateResults(r)).toEqual([]);
  });
  it('the validator reports what is wrong and where', () => {
    const r = JSON.parse(readFileSync('docs/examples/results-f32-fixture.json', 'utf8')) as Results;
    r.sets[0].samples[1].sumA[2].pop();
    r.sets[1].density.counts[0][3] = [1];
    r.pairs[0].llmdcos[0][1] = 1.5;
    expect(validateResults(r)).toEqual([
      'sets[0].samples[1].sumA[2]: expected 7 matrices',
      'sets[1].density.counts[0][3]: expected 2 counts',
      'pairs[0].llmdcos[0]: expected 3 values in [0, 1]',
    ]);
  });
});
