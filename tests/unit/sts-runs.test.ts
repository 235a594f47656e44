// The STS lab's flow (stsRuns in src/engine/sts.ts), as the page and `npm run sts` call it, on the
// f32 fixture model with the reference engine: one request per metric over the distinct
// sentences, a pair of one sentence with itself at LLMDcos 1 on every layer (and baseline cosine
// 1), each finished metric handed on before the next starts, and a failing metric keeping the
// ones before it.
import { describe, expect, it } from 'vitest';
import { stsRuns, tokenPairs, type StsMetricRun } from '../../src/engine/sts';
import { runReference } from '../../src/engine/run-reference';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import type { Metric } from '../../src/analysis/metrics';

const s = (text: string, source: string) => ({ source, text });
const PAIRS = [
  { a: s('the cat sat on the mat', 'a1'), b: s('the cat sat on the mat', 'b1'), score: 5 },
  { a: s('in the beginning', 'a2'), b: s('the end of it', 'b2'), score: 1 },
  { a: s('the dog ran home', 'a3'), b: s('the cat sat on the mat', 'b3'), score: 2 },
];

describe('stsRuns (reference engine, f32 fixture)', async () => {
  const w = await fixtureWeights('f32');
  const tok = tokenizerFromGguf(await fixtureFile('f32'));
  const L = w.config.blockCount;
  const pairs = tokenPairs(PAIRS, (x) => sampleTokens(x, tok, 16));

  it('one run per metric over the distinct sentences; a sentence with itself has LLMDcos 1', async () => {
    const seen: Metric[] = [];
    const runs = await stsRuns(
      pairs,
      ['grad_x_weight', 'wanda'],
      16,
      L,
      (req) => runReference(w, req),
      (r) => seen.push(r.metric),
    );
    expect(seen).toEqual(['grad_x_weight', 'wanda']);
    expect(runs.map((r) => r.metric)).toEqual(seen);
    for (const r of runs) {
      expect(r.req.metric).toBe(r.metric);
      expect(r.req.sets[0].samples).toHaveLength(4); // 'the cat sat on the mat' once
      expect(r.req.pairs[0].index).toEqual([
        [0, 0],
        [1, 2],
        [3, 0],
      ]);
      expect(r.measures.llmdcos).toHaveLength(PAIRS.length);
      for (const x of r.measures.llmdcos[0]) expect(x).toBeCloseTo(1, 12);
      expect(r.measures.llmdcos[0]).toHaveLength(L);
      expect(r.measures.cosine[0]).toBeCloseTo(1, 12);
      for (const x of r.measures.llmdcos[1]) expect(x).toBeLessThan(1 - 1e-6);
      expect(r.seconds).toBeGreaterThan(0);
    }
    // the two metrics measure different things
    expect(runs[0].measures.llmdcos[1]).not.toEqual(runs[1].measures.llmdcos[1]);
  });

  it('a metric that fails keeps the runs before it (handed on) and throws', async () => {
    const kept: StsMetricRun[] = [];
    const failing = stsRuns(
      pairs,
      ['grad_x_weight', 'grad'],
      16,
      L,
      (req) =>
        req.metric === 'grad' ? Promise.reject(new Error('device lost')) : runReference(w, req),
      (r) => kept.push(r),
    );
    await expect(failing).rejects.toThrow('device lost');
    expect(kept.map((r) => r.metric)).toEqual(['grad_x_weight']);
  });
});
