// The reference backend: every sample through src/reference/llama.ts, reduced with
// src/analysis. Exact and slow; for small models, tests and checking the GPU backend.
import { MATRICES, matrixShape, type MatrixName } from '../model/config';
import type { LlamaWeights } from '../model/weights';
import { finalNormed, llamaScores } from '../reference/llama';
import { meanRows } from '../analysis/sts';
import { columnNorms, metricKind, metricValues } from '../analysis/metrics';
import { reduceMatrix } from '../analysis/reductions';
import { MeanAccumulator, setDensity } from '../analysis/density';
import { llmdcos } from '../analysis/llmdcos';
import type { PairResult, SampleResult, SetResult } from '../analysis/results';
import { checkPairs, pairMembers, type RunOptions, type RunOutput, type RunRequest } from './types';

/** A per sample, per layer, per matrix (Float32Array each). */
type SampleScores = Float32Array[][];

export async function runReference(
  w: LlamaWeights,
  req: RunRequest,
  opts: RunOptions = {},
): Promise<RunOutput> {
  const c = w.config;
  const L = c.blockCount;
  const pairLengths = checkPairs(req);
  const paired = new Set(req.pairs.flatMap((p) => [p.a, p.b]));
  const kept = new Map<string, SampleScores[]>();
  const total = req.sets.reduce((s, x) => s + x.samples.length, 0);
  const started = Date.now();
  let done = 0;
  const sets: SetResult[] = [];
  const pooled: Float64Array[][] = [];
  for (const set of req.sets) {
    const pooledOfSet: Float64Array[] = [];
    pooled.push(pooledOfSet);
    const acc = Array.from({ length: L }, () =>
      MATRICES.map((m) => {
        const { O, I } = matrixShape(c, m);
        return new MeanAccumulator(O * I);
      }),
    );
    const samples: SampleResult[] = [];
    const keep: SampleScores[] = [];
    for (let si = 0; si < set.samples.length; si++) {
      opts.signal?.throwIfAborted();
      const s = set.samples[si];
      const res = llamaScores(w, s.tokens);
      const T = s.tokens.length;
      if (req.pooledHidden) {
        const y = finalNormed(w, res.layers[L - 1].out, T);
        pooledOfSet.push(meanRows(y, T, c.embeddingLength));
      }
      const scores: SampleScores = [];
      const r: SampleResult = {
        source: s.source,
        tokens: T,
        tokenIds: s.tokens,
        maxLogit: res.maxLogit,
        argmax: res.argmax,
        sumA: [],
        sumA2: [],
        maxA: [],
      };
      for (let l = 0; l < L; l++) {
        const row = { sumA: [] as number[], sumA2: [] as number[], maxA: [] as number[] };
        const layerScores: Float32Array[] = [];
        MATRICES.forEach((m: MatrixName, mi) => {
          const { I } = matrixShape(c, m);
          const W = w.layers[l].matrices[m];
          const xn = metricKind(req.metric).inputNorms
            ? columnNorms(res.inputs[l][m], T, I)
            : undefined;
          const A = metricValues(req.metric, W, I, res.grads[l][m], xn);
          const red = reduceMatrix(A);
          row.sumA.push(red.sumA);
          row.sumA2.push(red.sumA2);
          row.maxA.push(red.maxA);
          acc[l][mi].add(A);
          if (paired.has(set.name)) layerScores.push(Float32Array.from(A));
        });
        r.sumA.push(row.sumA);
        r.sumA2.push(row.sumA2);
        r.maxA.push(row.maxA);
        scores.push(layerScores);
      }
      samples.push(r);
      if (paired.has(set.name)) keep.push(scores);
      done++;
      const elapsed = (Date.now() - started) / 1000;
      opts.onProgress?.({
        stage: 'sample',
        set: set.name,
        sample: si,
        samples: set.samples.length,
        fraction: done / total,
        etaSeconds: (elapsed / done) * (total - done),
      });
      await Promise.resolve(); // let a cancel or a redraw in
    }
    kept.set(set.name, keep);
    opts.onProgress?.({ stage: 'density', set: set.name, fraction: done / total });
    if (opts.onScores) {
      const si = sets.length;
      for (let l = 0; l < L; l++)
        for (const [mi, m] of MATRICES.entries())
          await opts.onScores(si, l, m, Float32Array.from(acc[l][mi].sum));
    }
    const fin = acc.map((row) => row.map((a) => a.finish(req.thresholds)));
    sets.push({
      name: set.name,
      samples,
      density: setDensity(set.samples.length, req.thresholds, fin),
    });
  }
  opts.onProgress?.({ stage: 'pairs', fraction: 1 });
  const pairs: PairResult[] = req.pairs.map((p, k) => {
    const A = kept.get(p.a)!;
    const B = kept.get(p.b)!;
    return {
      a: p.a,
      b: p.b,
      ...(p.shift ? { shift: p.shift } : {}),
      ...(p.index ? { index: p.index } : {}),
      llmdcos: Array.from({ length: pairLengths[k] }, (_, i) => {
        const [ia, ib] = pairMembers(p, i, B.length);
        return Array.from({ length: L }, (_, l) => llmdcos(A[ia][l], B[ib][l]));
      }),
    };
  });
  opts.onProgress?.({ stage: 'done', fraction: 1 });
  return req.pooledHidden ? { sets, pairs, pooled } : { sets, pairs };
}
