// The semantic-similarity check's pieces: the default layer window, Spearman's ρ with ties against
// hand-computed values, the per-pair window sums and per-layer ρ, the seeded bootstrap interval,
// and sentence-pair files (STS-B, SICK, CSV, JSONL) with their named errors.
import { describe, expect, it } from 'vitest';
import { checkWindow, stsStatistics, stsWindow, bootstrapInterval } from '../../src/analysis/sts';
import { ranks, spearman } from '../../src/analysis/spearman';
import { checkPairsSize, MAX_PAIRS, PairsError, parsePairs } from '../../src/samples/pairs';
import { STS_SET, stsRequest, type StsDocument } from '../../src/engine/sts';
import { rhoCsv, sortRows, stsRows, stsRowsCsv } from '../../src/analysis/sts-views';
import { checkPairs } from '../../src/engine/types';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('STS statistics', () => {
  it('default window: 20…L−3 for deep models, ⌊L/2⌋…max(⌊L/2⌋, L−3) else', () => {
    expect(stsWindow(32)).toEqual([20, 29]);
    expect(stsWindow(40)).toEqual([20, 37]);
    expect(stsWindow(8)).toEqual([4, 5]);
    expect(stsWindow(3)).toEqual([1, 1]);
    expect(stsWindow(2)).toEqual([1, 1]);
    expect(stsWindow(23)).toEqual([20, 20]);
    expect(stsWindow(22)).toEqual([11, 19]);
  });

  it('Spearman with ties: average ranks, as computed by hand', () => {
    expect(ranks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    // x ranks 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4: mean 2.5; Σdxdy = 2.25+0+0+2.25 = 4.5 + 0 …
    // Σ(rx−2.5)(ry−2.5) = (−1.5)(−1.5) + 0·(−0.5) + 0·0.5 + 1.5·1.5 = 4.5
    // Σ(rx−2.5)² = 4.5, Σ(ry−2.5)² = 5 → ρ = 4.5 / √22.5 = 0.9486832980505138
    expect(spearman([10, 20, 20, 30], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    // ties on both sides: x ranks 1.5 1.5 3 4, y ranks 1 2.5 2.5 4
    // Σ = (−1)(−1.5) + (−1)(0) + (0.5)(0) + (1.5)(1.5) = 3.75; Σx² = 1+1+0.25+2.25 = 4.5; Σy² = 4.5
    expect(spearman([1, 1, 2, 3], [5, 6, 6, 9])).toBeCloseTo(3.75 / 4.5, 12);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBe(-1);
  });

  it('window sums, per-layer ρ and a seeded bootstrap interval around ρ', () => {
    // 5 pairs × 4 layers, in eighths (exact sums, exact ties); layer 2 ranks the pairs as gold
    // does, layer 0 against it
    const llmdcos = [
      [0.875, 0.5, 0.125, 0.25],
      [0.75, 0.25, 0.25, 0.25],
      [0.625, 0.625, 0.375, 0.125],
      [0.5, 0.125, 0.5, 0.125],
      [0.375, 0.375, 0.625, 0.375],
    ];
    const gold = [1, 2, 3, 4, 5];
    const s = stsStatistics(llmdcos, gold, [1, 2], 7, 200);
    expect(s.pairScores).toEqual([0.625, 0.5, 1, 0.625, 1]);
    expect(s.spearmanPerLayer[2]).toBeCloseTo(1, 12);
    expect(s.spearmanPerLayer[0]).toBeCloseTo(-1, 12);
    // score ranks 2.5, 1, 4.5, 2.5, 4.5 against 1…5: Σdxdy = 5.5, Σdx² = 9, Σdy² = 10
    expect(s.spearman).toBeCloseTo(5.5 / Math.sqrt(90), 12);
    const [lo, hi] = s.interval;
    expect(lo).toBeLessThanOrEqual(hi);
    expect(lo).toBeLessThan(s.spearman + 1e-12);
    expect(hi).toBeGreaterThanOrEqual(-1);
    // the same seed, the same interval; another seed, another
    expect(stsStatistics(llmdcos, gold, [1, 2], 7, 200).interval).toEqual(s.interval);
    expect(bootstrapInterval(s.pairScores, gold, 8, 200)).not.toEqual(s.interval);
  });

  it('refuses a window outside the layers by name', () => {
    expect(() => checkWindow([3, 2], 8)).toThrow(/window 3:2: needs 0 ≤ A ≤ B ≤ 7/);
    expect(() => checkWindow([0, 8], 8)).toThrow(/≤ 7/);
    expect(() => checkWindow([0, 7], 8)).not.toThrow();
  });
});

describe('sentence-pair files', () => {
  it('STS-B .tsv (no quoting: a sentence may start with a quote), SICK names, .csv, .jsonl', () => {
    const stsb = parsePairs(
      'dev.tsv',
      bytes(
        'index\tgenre\tsentence1\tsentence2\tscore\n0\tmain\t"Quoted start.\tA man is playing.\t3.8\n1\tmain\tA cat.\tA dog.\t0.5\n2\tmain\tSun.\tSun!\t5\n',
      ),
    );
    expect(stsb.map((p) => [p.a.text, p.b.text, p.score])).toEqual([
      ['"Quoted start.', 'A man is playing.', 3.8],
      ['A cat.', 'A dog.', 0.5],
      ['Sun.', 'Sun!', 5],
    ]);
    expect(stsb[0].a.source).toBe('dev.tsv:2a');
    const sick = parsePairs(
      'SICK.txt',
      bytes(
        'pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n1\ta\tb\t4.5\tNEUTRAL\n2\tc\td\t1\tNEUTRAL\n3\te\tf\t3.2\tNEUTRAL\n',
      ),
    );
    expect(sick.map((p) => p.score)).toEqual([4.5, 1, 3.2]);
    const csv = parsePairs(
      'p.csv',
      bytes('sentence1,sentence2,label\n"a, b","c ""d""",1\ne,f,0\ng,h,1\n'),
    );
    expect(csv[0].a.text).toBe('a, b');
    expect(csv[0].b.text).toBe('c "d"');
    const jsonl = parsePairs(
      'p.jsonl',
      bytes(
        '{"a": "x", "b": "y", "score": 1}\n{"tokensA": [1, 5], "tokensB": [1, 6, 7], "score": "0.5"}\n\n{"a": "z", "b": "w", "score": 0}\n',
      ),
    );
    expect(jsonl[1].a.tokens).toEqual([1, 5]);
    expect(jsonl[1].score).toBe(0.5);
  });

  it('STS-B as its benchmark ships it: sts-*.csv, tab-separated, no header, 7 columns (some rows more)', () => {
    const lines = [
      'main-captions\tMSRvid\t2012test\t0001\t5.000\tA man with a hard hat is dancing.\tA man wearing a hard hat is dancing.',
      'main-captions\tMSRvid\t2012test\t0004\t3.800\t"A man is slicing a cucumber.\tA man is slicing a tomato, "he said".',
      'main-news\theadlines\t2013\t0012\t0.000\tStocks fall, \tRain in Paris\tsource-a\tsource-b',
      '',
    ];
    const pairs = parsePairs('sts-dev.csv', bytes(lines.join('\n')));
    expect(pairs.map((p) => [p.a.text, p.b.text, p.score])).toEqual([
      ['A man with a hard hat is dancing.', 'A man wearing a hard hat is dancing.', 5],
      ['"A man is slicing a cucumber.', 'A man is slicing a tomato, "he said".', 3.8],
      ['Stocks fall, ', 'Rain in Paris', 0],
    ]);
    expect(pairs[1].a.source).toBe('sts-dev.csv:2a');
    // the same lines as .tsv or .txt read alike
    expect(parsePairs('sts-dev.tsv', bytes(lines.join('\n')))).toHaveLength(3);
    // a short row names its line and the layout
    expect(() =>
      parsePairs('sts-dev.csv', bytes(`${lines[0]}\n${lines[1]}\nmain\tx\t2012\t1\t2.0\tonly one`)),
    ).toThrow(/sts-dev\.csv: line 3 has 6 tab-separated fields; STS-B's layout/);
  });

  it('named one-line errors: missing column, non-numeric score, too few pairs, bad rows', () => {
    const bad: [string, string, RegExp][] = [
      ['a.tsv', 'sentence1\tscore\nx\t1\n', /a\.tsv: has no column for sentence2 or sentence_b/],
      [
        'a.tsv',
        'sentence1\tsentence2\tscore\nx\ty\tnan?\nx\ty\t1\nx\ty\t1\n',
        /row 2: the score "nan\?" is not a finite number/,
      ],
      [
        'a.csv',
        'sentence1,sentence2,score\nx,y,1\nx,y,2\n',
        /has 2 pair\(s\); a rank correlation needs at least 3/,
      ],
      ['a.tsv', 'sentence1\tsentence2\tscore\nx\ty\n', /row 2 has 2 fields, not the 3/],
      ['a.jsonl', '{"a": "x", "b": "y"}\n', /line 1 has no "score"/],
      [
        'a.jsonl',
        '{"tokensA": [1, -2], "tokensB": [1], "score": 1}\n',
        /"tokensA" must be a non-empty array/,
      ],
      ['a.jsonl', '{"a": "x"\n', /line 1 is not valid JSON/],
      ['a.xlsx', 'x', /unknown file type "\.xlsx"/],
      ['a.tsv', 'sentence1\tsentence2\tscore\n\ty\t1\n', /row 2 has an empty sentence/],
    ];
    for (const [name, text, re] of bad) {
      let err: Error | null = null;
      try {
        parsePairs(name, bytes(text));
      } catch (e) {
        err = e as Error;
      }
      expect(err, `${name}: ${JSON.stringify(text)}`).toBeInstanceOf(PairsError);
      expect(err!.message).toMatch(re);
      expect(err!.message).not.toContain('\n');
      expect(err!.message).toMatch(/\(supported: \.tsv or \.csv/);
    }
  });
});

describe('pairs file size', () => {
  it('a file of 1,000,000 pairs is refused by name at once, before it is parsed', () => {
    const big = bytes(`sentence1\tsentence2\tscore\n${'a b\tc d\t1\n'.repeat(1_000_000)}`);
    const t0 = performance.now();
    expect(() => parsePairs('big.tsv', big)).toThrow(
      /^big\.tsv: has over 100,000 lines; at most 100,000 pairs are read \(supported/,
    );
    expect(performance.now() - t0).toBeLessThan(5_000);
    // 100,000 pairs (a header and a final newline) are still read
    const most = bytes(`sentence1\tsentence2\tscore\n${'a b\tc d\t1\n'.repeat(MAX_PAIRS)}`);
    expect(parsePairs('most.tsv', most)).toHaveLength(MAX_PAIRS);
  });

  it('a file over 64 MiB is refused by name before it is parsed', () => {
    expect(() => checkPairsSize('big.tsv', (64 << 20) + 1)).toThrow(
      /^big\.tsv: is 64\.0 MiB; pairs files up to 64 MiB are read/,
    );
    expect(() => checkPairsSize('ok.tsv', 64 << 20)).not.toThrow();
    expect(() => parsePairs('big.tsv', new Uint8Array((64 << 20) + 1))).toThrow(PairsError);
  });
});

describe('the STS run', () => {
  const t = (source: string, tokens: number[]) => ({ source, tokens });
  it('each distinct sentence once, the pairs as indices into them, the pooled baseline asked for', () => {
    const pairs = [
      { a: t('p1a', [1, 5]), b: t('p1b', [1, 6]), score: 1 },
      { a: t('p2a', [1, 6]), b: t('p2b', [1, 7, 8]), score: 2 },
      { a: t('p3a', [1, 5]), b: t('p3b', [1, 5]), score: 3 },
    ];
    const req = stsRequest(pairs, 'grad', 64, 8);
    expect(req.sets).toHaveLength(1);
    expect(req.sets[0].samples.map((s) => s.tokens)).toEqual([
      [1, 5],
      [1, 6],
      [1, 7, 8],
    ]);
    expect(req.pairs).toEqual([
      {
        a: STS_SET,
        b: STS_SET,
        index: [
          [0, 1],
          [1, 2],
          [0, 0],
        ],
      },
    ]);
    expect(req.pooledHidden).toBe(true);
    expect(checkPairs(req)).toEqual([3]);
  });

  it('an explicit index list names samples of its sets, without a shift', () => {
    const sets = [{ name: 's', samples: [t('a', [1]), t('b', [1, 2])] }];
    const req = (index: [number, number][], shift?: number) => ({
      sets,
      pairs: [{ a: 's', b: 's', index, shift }],
      thresholds: [1e-3],
      metric: 'grad' as const,
      maxTokens: 8,
    });
    expect(checkPairs(req([[0, 1]]))).toEqual([1]);
    expect(() => checkPairs(req([[0, 2]]))).toThrow(/index\[0\] = \[0,2\] is not \[i < 2, j < 2\]/);
    expect(() => checkPairs(req([[-1, 0]]))).toThrow(/index\[0\]/);
    expect(() => checkPairs(req([]))).toThrow(/an empty index list/);
    expect(() => checkPairs(req([[0, 1]], 1))).toThrow(/a shift and an explicit index list/);
  });
});

describe('the STS views', () => {
  const doc = {
    window: [1, 1],
    n: 3,
    pairs: [
      { a: 'f:1 a', b: 'f:1 b', score: 1, llmdcos: [0.1, 0.2], pairScore: 0.2 },
      { a: 'f:2 a', b: 'f:2 b', score: 3, llmdcos: [0.1, 0.9], pairScore: 0.9 },
      { a: 'f:3 a', b: 'f:3 b', score: 2, llmdcos: [0.1, 0.1], pairScore: 0.1 },
    ],
    spearman: 0.5,
    spearmanPerLayer: [null, 0.5],
    interval: [-1, 1],
    baseline: { cosine: [0.3, 0.2, 0.1], spearman: -0.5 },
  } as unknown as StsDocument;
  it('ranks (1 = least similar), the residual rank, sorting and CSV', () => {
    const rows = stsRows(doc, [
      { a: 'x', b: 'y' },
      { a: 'p', b: 'q' },
      { a: 'r', b: 's' },
    ]);
    expect(rows.map((r) => [r.goldRank, r.scoreRank, r.residual])).toEqual([
      [1, 2, 1],
      [3, 3, 0],
      [2, 1, -1],
    ]);
    expect(rows[0].a).toBe('x');
    expect(sortRows(rows, 'residual').map((r) => r.n)).toEqual([1, 2, 3]);
    expect(sortRows(rows, 'gold').map((r) => r.n)).toEqual([2, 3, 1]);
    expect(sortRows(rows, 'score').map((r) => r.n)).toEqual([2, 1, 3]);
    expect(stsRowsCsv(rows).split('\n')[1]).toBe('1,x,y,1,0.2,1,2,1,0.3');
    const csv = rhoCsv(doc).trimEnd().split('\n');
    expect(csv).toEqual([
      'what,rho,in_window,lo,hi',
      'layer 0,,0,,',
      'layer 1,0.5,1,,',
      'window 1-1,0.5,1,-1,1',
      'hidden-state baseline,-0.5,0,,',
    ]);
  });
});
