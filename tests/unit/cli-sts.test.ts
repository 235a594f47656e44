// `npm run sts` end to end on a fixture model (reference backend): sts.json's per-pair LLMDcos
// equal an independent f64 computation, its sums and ρ follow from them, and bad arguments get a
// one-line named error with the usage.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { llamaForward, llamaScores } from '../../src/reference/llama';
import { weightsToF64 } from '../../src/model/weights';
import { MATRICES } from '../../src/model/config';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import { llmdcos } from '../../src/analysis/llmdcos';
import { spearman } from '../../src/analysis/spearman';
import { stsWindow } from '../../src/analysis/sts';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { fixtureBytes, fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { cliFailure, stsCli } from '../helpers/cli';

const PAIRS = [
  ['the cat sat on the mat', 'a cat sat on a mat', 4.5],
  ['in the beginning', 'the end of it', 1],
  ['the dog ran home', 'the dog ran home fast', 4],
  ['an apple a day', 'the cat sat', 0.5],
  // sentences met again: scored once (settings.sentences counts them once)
  ['the cat sat on the mat', 'the dog ran home', 2],
] as const;

interface StsDoc {
  schema: string;
  window: [number, number];
  n: number;
  pairs: { score: number; llmdcos: number[]; pairScore: number }[];
  spearman: number;
  spearmanPerLayer: number[];
  interval: [number, number];
  settings: { sentences: number };
  baseline: { cosine: number[]; spearman: number };
}

describe('npm run sts (reference backend)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-sts-'));
  const pairsFile = join(dir, 'pairs.tsv');
  writeFileSync(
    pairsFile,
    `sentence1\tsentence2\tscore\n${PAIRS.map((p) => p.join('\t')).join('\n')}\n`,
  );
  const model = join(dir, 'f32.gguf');
  writeFileSync(model, fixtureBytes('f32'));

  it('per-pair LLMDcos equal the f64 reference; window sums and ρ follow from them', async () => {
    const out = join(dir, 'sts.json');
    await stsCli(['--model', model, '--pairs', pairsFile, '--out', out, '--seed', '3']);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as StsDoc;
    expect(doc.schema).toBe('paramscope.sts/1');
    const w = weightsToF64(await fixtureWeights('f32'));
    const L = w.config.blockCount;
    expect(doc.window).toEqual(stsWindow(L));
    expect(doc.n).toBe(PAIRS.length);
    const tok = tokenizerFromGguf(await fixtureFile('f32'));
    const scores = (text: string) => {
      const r = llamaScores(w, sampleTokens({ source: 'x', text }, tok));
      return Array.from({ length: L }, (_, l) =>
        MATRICES.map((m) => w.layers[l].matrices[m].map((x, i) => Math.abs(x * r.grads[l][m][i]))),
      );
    };
    const want = PAIRS.map(([a, b]) => {
      const [sa, sb] = [scores(a), scores(b)];
      return sa.map((_, l) => llmdcos(sa[l], sb[l]));
    });
    const got = doc.pairs.map((p) => p.llmdcos);
    const c = compareArrays(got.flat(), want.flat(), { rel: 1e-4, abs: 1e-9 });
    expect(c.ok, describeComparison('llmdcos', c)).toBe(true);
    expect(new Set(got.flat().map((x) => x.toFixed(6))).size).toBeGreaterThan(L);
    const [a, b] = doc.window;
    doc.pairs.forEach((p, i) => {
      expect(p.score).toBe(PAIRS[i][2]);
      expect(p.pairScore).toBeCloseTo(
        p.llmdcos.slice(a, b + 1).reduce((s, x) => s + x, 0),
        12,
      );
    });
    const gold = PAIRS.map((p) => p[2] as number);
    expect(doc.spearman).toBeCloseTo(
      spearman(
        doc.pairs.map((p) => p.pairScore),
        gold,
      ),
      12,
    );
    expect(doc.spearmanPerLayer).toHaveLength(L);
    expect(doc.interval[0]).toBeLessThanOrEqual(doc.interval[1]);
    expect(doc.settings.sentences).toBe(new Set(PAIRS.flatMap((p) => [p[0], p[1]])).size);
    // the baseline: cosine of the mean over positions of the final normed hidden states, in f64
    const pooled = (text: string) => {
      const tokens = sampleTokens({ source: 'x', text }, tok);
      const x = llamaForward(w, tokens).layers[L - 1].out;
      const C = w.config.embeddingLength;
      const mean = new Float64Array(C);
      for (let t = 0; t < tokens.length; t++) {
        let ss = 0;
        for (let k = 0; k < C; k++) ss += x[t * C + k] ** 2;
        const r = 1 / Math.sqrt(ss / C + w.config.rmsEps);
        for (let k = 0; k < C; k++) mean[k] += (x[t * C + k] * r * w.outputNorm[k]) / tokens.length;
      }
      return mean;
    };
    const cos = (u: Float64Array, v: Float64Array) => {
      const dot = (p: Float64Array, q: Float64Array) => p.reduce((s, x, k) => s + x * q[k], 0);
      return dot(u, v) / Math.sqrt(dot(u, u) * dot(v, v));
    };
    const wantCos = PAIRS.map(([a, b]) => cos(pooled(a), pooled(b)));
    const cc = compareArrays(doc.baseline.cosine, wantCos, { rel: 1e-5, abs: 1e-7 });
    expect(cc.ok, describeComparison('baseline cosine', cc)).toBe(true);
    expect(doc.baseline.spearman).toBeCloseTo(spearman(wantCos, gold), 12);
  });

  it('refuses |W| (ρ undefined), a window outside the layers, and a bad pairs file, by name', async () => {
    const fail = (args: string[]) =>
      cliFailure(stsCli, ['--model', model, '--out', join(dir, 'x.json'), ...args]);
    const mag = await fail(['--pairs', pairsFile, '--metric', 'magnitude']);
    expect(mag.code).toBe(2);
    expect(mag.stderr).toMatch(/--metric magnitude: magnitude \|W\| does not depend on the input/);
    const win = await fail(['--pairs', pairsFile, '--window', '2:99']);
    expect(win.code).toBe(2);
    expect(win.stderr).toMatch(/--window: window 2:99: needs 0 ≤ A ≤ B ≤/);
    const few = join(dir, 'few.csv');
    writeFileSync(few, 'sentence1,sentence2,score\na,b,1\n');
    const bad = await fail(['--pairs', few]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^error: few\.csv: has 1 pair\(s\); a rank correlation needs at least 3/,
    );
  });
});
