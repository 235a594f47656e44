// `npm run prune` end to end on fixture models (reference backend): prune.json's counts follow
// the row rule, its perplexities equal the perplexity engine on the dense file and on the written
// GGUF read back (a round trip that keeps every unpruned weight), the allocation from a density
// set follows docs/METHOD.md §4, and bad input gets a one-line named error with the usage.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGguf, readTensorBytes } from '../../src/gguf/reader';
import { GgmlType } from '../../src/gguf/types';
import { bytesSource } from '../../src/gguf/source';
import { loadLlamaWeights } from '../../src/model/weights';
import { MATRICES, matrixShape } from '../../src/model/config';
import { referencePerplexity } from '../../src/engine/perplexity';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import { fixtureBytes, fixtureFile } from '../helpers/fixtures';
import { layerSparsity } from '../../src/analysis/allocation';
import { owlRatios, owlSparsity } from '../../src/prune/owl';
import { referenceDenseNorms } from '../../src/prune/prune';
import { evalWindows } from '../../src/engine/eval-windows';
import { cliFailure, pruneCli } from '../helpers/cli';

interface PruneDoc {
  schema: string;
  settings: { method: string; allocation: string; sparsity: number };
  allocation: { counts: number[] | null; sparsity: number[] };
  pruned: number[][];
  perplexity: { dense: number; pruned: number; tokens: number };
  calibration: { samples: number; tokens: number };
}

const EVAL = ['the cat sat on the mat', 'in the beginning was the word', 'a dog ran home'];
const CALIB = ['an apple a day keeps', 'the quick brown fox jumps'];

describe('npm run prune (reference backend)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-prune-'));
  const model = join(dir, 'q8_0.gguf');
  writeFileSync(model, fixtureBytes('q8_0'));
  const evalFile = join(dir, 'eval.txt');
  writeFileSync(evalFile, EVAL.join('\n\n'));
  const calib = join(dir, 'calib.jsonl');
  writeFileSync(calib, CALIB.map((text) => JSON.stringify({ text })).join('\n'));
  /** The CLI on the fixture and the eval file with `args`, expected to fail (out: a file in dir). */
  const refused = (out: string, args: string[]) =>
    cliFailure(pruneCli, ['--model', model, '--eval', evalFile, '--out', join(dir, out), ...args]);

  it('wanda at 0.5: counts, perplexities, and the written GGUF read back', async () => {
    const out = join(dir, 'prune.json');
    const gguf = join(dir, 'pruned.gguf');
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--calibration', calib, '--split', 'paragraphs'],
      ...['--method', 'wanda', '--out', out, '--write-gguf', gguf],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc;
    expect(doc.schema).toBe('paramscope.prune/1');
    const file = await fixtureFile('q8_0');
    const c = (await loadLlamaWeights(file)).config;
    expect(doc.allocation.sparsity).toEqual(new Array(c.blockCount).fill(0.5));
    expect(doc.pruned).toEqual(
      Array.from({ length: c.blockCount }, () =>
        MATRICES.map((m) => matrixShape(c, m).O * Math.floor(matrixShape(c, m).I * 0.5)),
      ),
    );
    const tok = tokenizerFromGguf(file);
    const samples = EVAL.map((text, i) => ({
      source: String(i),
      tokens: sampleTokens({ source: '', text }, tok),
    }));
    expect(doc.calibration.samples).toBe(2);
    const dense = referencePerplexity(await loadLlamaWeights(file), samples);
    const back = await readGguf(bytesSource(new Uint8Array(readFileSync(gguf)), 'pruned.gguf'));
    const pw = await loadLlamaWeights(back);
    const pruned = referencePerplexity(pw, samples);
    expect(doc.perplexity.tokens).toBe(dense.tokens);
    expect(doc.perplexity.dense).toBeCloseTo(dense.ppl, 9);
    expect(doc.perplexity.pruned).toBeCloseTo(pruned.ppl, 9);
    expect(doc.perplexity.pruned).not.toBeCloseTo(doc.perplexity.dense, 3);
    // the pruned set (zeros of the file's own first: metric 0) is all that became 0; the rest
    // is bit-identical
    const w = await loadLlamaWeights(file);
    pw.layers.forEach((lw, l) =>
      MATRICES.forEach((m, mi) => {
        const P = lw.matrices[m];
        const W = w.layers[l].matrices[m];
        let zeros = 0;
        P.forEach((x, e) => {
          if (x === 0) zeros++;
          else expect(x).toBe(W[e]);
        });
        expect(zeros).toBe(doc.pruned[l][mi]);
      }),
    );
    expect(String(back.metadata.get('general.name')?.value)).toMatch(
      /\(pruned: wanda 0\.5, uniform\)$/,
    );
  });

  it('density allocation: S_i from the density set’s counts (docs/METHOD.md §4), mean S', async () => {
    const out = join(dir, 'density.json');
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--split', 'paragraphs', '--method', 'magnitude'],
      ...['--allocation', 'density', '--density-set', calib, '--threshold', '1e-3'],
      ...['--sparsity', '0.4', '--out', out],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc;
    const counts = doc.allocation.counts!;
    expect(counts.length).toBe(doc.allocation.sparsity.length);
    expect(counts.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(doc.allocation.sparsity).toEqual(layerSparsity(counts, 0.4, 2, 0.2));
    const mean = doc.allocation.sparsity.reduce((a, b) => a + b, 0) / counts.length;
    expect(mean).toBeCloseTo(0.4, 12);
    expect(doc.settings.allocation).toBe('density');
  });

  it('OWL allocation: S_i from the dense model’s outlier ratios on the calibration set, mean S', async () => {
    const out = join(dir, 'owl.json');
    const gguf = join(dir, 'pruned-owl.gguf');
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--calibration', calib, '--split', 'paragraphs'],
      ...['--method', 'magnitude', '--allocation', 'owl', '--owl-m', '3', '--owl-lambda', '0.1'],
      ...['--sparsity', '0.4', '--out', out, '--write-gguf', gguf],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc & {
      settings: { owlM: number; owlLambda: number };
      allocation: { outlierRatios: number[] };
    };
    expect(doc.settings.allocation).toBe('owl');
    expect([doc.settings.owlM, doc.settings.owlLambda]).toEqual([3, 0.1]);
    // the ratios of the reference's dense walk over the calibration tokens, S_i by OWL's formula
    const file = await fixtureFile('q8_0');
    const w = await loadLlamaWeights(file);
    const tok = tokenizerFromGguf(file);
    const cal = CALIB.map((text) => sampleTokens({ source: '', text }, tok));
    const ratios = await owlRatios(
      w.config,
      3,
      (each) => referenceDenseNorms(w, cal, each),
      async (l, m) => w.layers[l].matrices[m],
    );
    expect(doc.allocation.outlierRatios).toEqual(ratios);
    expect(doc.allocation.sparsity).toEqual(owlSparsity(ratios, 0.4, 0.1));
    const S = doc.allocation.sparsity;
    expect(S.reduce((a, b) => a + b, 0) / S.length).toBeCloseTo(0.4, 12);
    expect(Math.max(...S) - Math.min(...S)).toBeCloseTo(0.2, 12);
    const back = await readGguf(bytesSource(new Uint8Array(readFileSync(gguf)), 'pruned.gguf'));
    expect(back.metadata.get('paramscope.prune.allocation')?.value).toBe('owl');
    // refused by name: no calibration set, S_i that would leave [0, 1)
    const fail = (args: string[]) => refused('z.json', args);
    expect((await fail(['--method', 'magnitude', '--allocation', 'owl'])).stderr).toMatch(
      /--allocation owl needs --calibration FILE/,
    );
    const hi = ['--calibration', calib, '--allocation', 'owl', '--sparsity', '0.95'];
    expect((await fail(['--method', 'magnitude', ...hi])).stderr).toMatch(
      /OWL at S = 0\.95 with λ = 0\.08 spreads S_i over \[0\.87, 1\.03\]/,
    );
  });

  it('perplexity over windows: the eval texts joined and cut as Wanda’s evaluation does', async () => {
    const out = join(dir, 'windows.json');
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--split', 'paragraphs', '--method', 'magnitude'],
      ...['--eval-windows', '4', '--out', out],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc & {
      settings: { evalWindows: number };
      perplexity: { protocol: string; sequences: number };
    };
    const file = await fixtureFile('q8_0');
    const w = await loadLlamaWeights(file);
    const tok = tokenizerFromGguf(file);
    const texts = EVAL.map((text, i) => ({ source: String(i), text }));
    const windows = evalWindows(texts, tok, 4, w.config.contextLength);
    const dense = referencePerplexity(w, windows);
    expect(doc.settings.evalWindows).toBe(4);
    expect(doc.perplexity.protocol).toBe('windows of 4');
    expect(doc.perplexity.sequences).toBe(windows.length);
    expect(doc.perplexity.tokens).toBe(3 * windows.length);
    expect(doc.perplexity.dense).toBeCloseTo(dense.ppl, 9);
    // per-sample sequences read the same text otherwise
    expect(doc.perplexity.dense).not.toBeCloseTo(
      referencePerplexity(
        w,
        texts.map((t) => ({ source: t.source, tokens: sampleTokens(t, tok) })),
      ).ppl,
      3,
    );
    const bad = await cliFailure(pruneCli, [
      ...['--model', model, '--eval', evalFile, '--method', 'magnitude'],
      ...['--eval-windows', '100000', '--out', join(dir, 'w.json')],
    ]);
    expect(bad.stderr).toMatch(
      /a perplexity window of 100000 tokens: needs an integer from 2 to the model's context \d+/,
    );
  });

  it('a Q4_K model (no exact 0): pruned matrices written as F16, said in the metadata; the file’s perplexity is prune.json’s', async () => {
    const kq = join(dir, 'q4_k.gguf');
    writeFileSync(kq, fixtureBytes('q4_k'));
    const out = join(dir, 'q4_k.json');
    const gguf = join(dir, 'q4_k-pruned.gguf');
    await pruneCli([
      ...['--model', kq, '--eval', evalFile, '--split', 'paragraphs', '--method', 'magnitude'],
      ...['--out', out, '--write-gguf', gguf],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc;
    const file = await fixtureFile('q4_k');
    const back = await readGguf(bytesSource(new Uint8Array(readFileSync(gguf)), 'pruned.gguf'));
    expect(back.metadata.get('paramscope.prune.reencoded')?.value).toBe(
      '14 pruned matrices (Q4_K) written as F16: no exact 0 in their blocks',
    );
    for (const t of file.tensors.values()) {
      const b = back.tensors.get(t.name)!;
      const matrix = /^blk\.\d+\.(attn_(q|k|v|output)|ffn_(gate|up|down))\.weight$/.test(t.name);
      expect(b.type, t.name).toBe(matrix ? GgmlType.F16 : t.type);
      if (!matrix)
        expect(
          Buffer.from(await readTensorBytes(back, t.name)).equals(
            Buffer.from(await readTensorBytes(file, t.name)),
          ),
          t.name,
        ).toBe(true);
    }
    const tok = tokenizerFromGguf(file);
    const samples = EVAL.map((text, i) => ({
      source: String(i),
      tokens: sampleTokens({ source: '', text }, tok),
    }));
    expect(referencePerplexity(await loadLlamaWeights(back), samples).ppl).toBeCloseTo(
      doc.perplexity.pruned,
      9,
    );
    expect(doc.perplexity.pruned).toBeGreaterThan(doc.perplexity.dense);
  });

  it('2:4 semi-structured: two of every four weights of a row, S = 0.5, recorded in the GGUF', async () => {
    const out = join(dir, 'prune-24.json');
    const gguf = join(dir, 'pruned-24.gguf');
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--split', 'paragraphs', '--method', 'magnitude'],
      ...['--pattern', '2:4', '--out', out, '--write-gguf', gguf],
    ]);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as PruneDoc & {
      settings: { pattern: string | null };
    };
    expect(doc.settings.pattern).toBe('2:4');
    expect(doc.settings.sparsity).toBe(0.5);
    const file = await fixtureFile('q8_0');
    const w = await loadLlamaWeights(file);
    const back = await readGguf(bytesSource(new Uint8Array(readFileSync(gguf)), 'pruned.gguf'));
    expect(back.metadata.get('paramscope.prune.pattern')?.value).toBe('2:4');
    const pw = await loadLlamaWeights(back);
    pw.layers.forEach((lw, l) =>
      MATRICES.forEach((m) => {
        const P = lw.matrices[m];
        const W = w.layers[l].matrices[m];
        for (let g = 0; g < P.length / 4; g++) {
          // the two smallest |W| of the group (ties to the lower column) are 0, the rest as before
          const cols = [0, 1, 2, 3].sort(
            (a, b) => Math.abs(W[4 * g + a]) - Math.abs(W[4 * g + b]) || a - b,
          );
          for (const [r, a] of cols.entries()) expect(P[4 * g + a]).toBe(r < 2 ? 0 : W[4 * g + a]);
        }
      }),
    );
    // refused by name: not N:M, beside another allocation or a different sparsity
    const fail = (args: string[]) => refused('y.json', args);
    expect((await fail(['--method', 'magnitude', '--pattern', '4:2'])).stderr).toMatch(
      /--pattern 4:2: N:M with M in 2…8 and N < M/,
    );
    expect(
      (await fail(['--method', 'magnitude', '--pattern', '2:4', '--allocation', 'density'])).stderr,
    ).toMatch(/--pattern 2:4 prunes 2\/4 of every layer: --allocation uniform only/);
    expect(
      (await fail(['--method', 'magnitude', '--pattern', '2:4', '--sparsity', '0.3'])).stderr,
    ).toMatch(/--sparsity 0\.3 disagrees/);
  });

  it('refuses bad input by name: sparsity, a list of the wrong length, one-token samples', async () => {
    const fail = (args: string[]) =>
      cliFailure(pruneCli, ['--model', model, '--out', join(dir, 'x.json'), ...args]);
    const s = await fail(['--eval', evalFile, '--method', 'magnitude', '--sparsity', '1']);
    expect(s.stderr).toMatch(/--sparsity\/--alpha\/--beta: sparsity 1: needs 0 ≤ S < 1/);
    expect(s.code).toBe(2);
    const list = join(dir, 'list.txt');
    writeFileSync(list, '0.5\n0.4\n0.3\n0.2\n0.1\n');
    const l = await fail(['--eval', evalFile, '--method', 'magnitude', '--allocation', list]);
    expect(l.stderr).toMatch(/--allocation list\.txt: 5 values for \d+ layers/);
    const one = join(dir, 'one.jsonl');
    writeFileSync(one, '{"tokens": [1]}\n');
    const o = await fail(['--eval', one, '--method', 'magnitude']);
    expect(o.stderr).toMatch(
      /^error: .*has 1 token\(s\): perplexity needs BOS and at least one more/,
    );
    const w = await fail(['--eval', evalFile]);
    expect(w.stderr).toMatch(/--method wanda needs --calibration FILE/);
  });
});
