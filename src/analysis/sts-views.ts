// What the STS lab's views draw and export, from a paramscope.sts/1 document: the table of pairs
// with their ranks and the residual rank, the ρ per layer, and their CSV forms.
import { csvObjects } from '../util/csv';
import { ranks } from './spearman';
import type { StsDocument } from '../engine/sts';

export interface StsRow {
  /** the pair's place in the file, 1-based */
  n: number;
  a: string;
  b: string;
  gold: number;
  score: number;
  goldRank: number;
  scoreRank: number;
  /** scoreRank − goldRank: > 0 the model finds the pair more similar than its gold rank says */
  residual: number;
  /** the baseline's cosine */
  cosine: number;
}

/** One row per pair, in file order; ranks average ties (1 = least similar). */
export function stsRows(doc: StsDocument, texts: { a: string; b: string }[]): StsRow[] {
  const gr = ranks(doc.pairs.map((p) => p.score));
  const sr = ranks(doc.pairs.map((p) => p.pairScore));
  return doc.pairs.map((p, i) => ({
    n: i + 1,
    a: texts[i]?.a ?? p.a,
    b: texts[i]?.b ?? p.b,
    gold: p.score,
    score: p.pairScore,
    goldRank: gr[i],
    scoreRank: sr[i],
    residual: sr[i] - gr[i],
    cosine: doc.baseline.cosine[i],
  }));
}

export type StsSortKey = 'n' | 'gold' | 'score' | 'residual';

/** Rows sorted by `key` (descending for all but n), ties by file order. */
export function sortRows(rows: StsRow[], key: StsSortKey): StsRow[] {
  const sign = key === 'n' ? 1 : -1;
  return [...rows].sort((p, q) => sign * (p[key] - q[key]) || p.n - q.n);
}

export function stsRowsCsv(rows: StsRow[]): string {
  return csvObjects(
    rows.map((r) => ({
      pair: r.n,
      sentence1: r.a,
      sentence2: r.b,
      gold: r.gold,
      pair_score: r.score,
      gold_rank: r.goldRank,
      score_rank: r.scoreRank,
      residual_rank: r.residual,
      baseline_cosine: r.cosine,
    })),
  );
}

/** layer, its ρ, whether it is in the window; then the window's and the baseline's ρ. */
export function rhoCsv(doc: StsDocument): string {
  const [a, b] = doc.window;
  const rows: Record<string, string | number>[] = doc.spearmanPerLayer.map((rho, l) => ({
    what: `layer ${l}`,
    rho: rho ?? '',
    in_window: l >= a && l <= b ? 1 : 0,
    lo: '',
    hi: '',
  }));
  rows.push({
    what: `window ${a}-${b}`,
    rho: doc.spearman ?? '',
    in_window: 1,
    lo: doc.interval[0] ?? '',
    hi: doc.interval[1] ?? '',
  });
  rows.push({
    what: 'hidden-state baseline',
    rho: doc.baseline.spearman ?? '',
    in_window: 0,
    lo: '',
    hi: '',
  });
  return csvObjects(rows);
}
