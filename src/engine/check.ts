// The last gate before a run's numbers are shown, cached or exported: every value finite, counts
// within the parameters they count, and — for the gradient metrics — some score in every layer of
// every sample (a layer whose Σ A is 0 was not computed: a destroyed buffer, a lost device). The
// first failure is an error naming the set, sample, layer and matrix; nothing of the unit is kept.
import { MATRICES, matrixShape, type LlamaConfig } from '../model/config';
import { metricKind, type Metric } from '../analysis/metrics';
import type { RunOutput } from './types';
import { quoted } from '../util/message';

export class RunCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunCheckError';
  }
}

const fail = (where: string, what: string): never => {
  throw new RunCheckError(`${where}: ${what}; the run's results were not kept`);
};

function finite(where: string, name: string, v: number): void {
  if (!Number.isFinite(v))
    fail(where, `${name} is ${v} (non-finite activations or weights: check the model file)`);
}

/** Throws RunCheckError at the first value of `out` that cannot be a correct result. */
export function checkRunOutput(out: RunOutput, c: LlamaConfig, metric: Metric): void {
  const params = MATRICES.map((m) => {
    const { O, I } = matrixShape(c, m);
    return O * I;
  });
  const gradient = metricKind(metric).gradient;
  for (const set of out.sets) {
    set.samples.forEach((s, i) => {
      const at = `set ${quoted(set.name, 40)}, sample ${i + 1}`;
      finite(at, 'the max logit', s.maxLogit);
      for (let l = 0; l < s.sumA.length; l++) {
        let layerSum = 0;
        MATRICES.forEach((m, k) => {
          const where = `${at}, layer ${l}, ${m}`;
          finite(where, 'Σ A', s.sumA[l][k]);
          finite(where, 'Σ A²', s.sumA2[l][k]);
          finite(where, 'max A', s.maxA[l][k]);
          layerSum += s.sumA[l][k];
        });
        if (gradient && !(layerSum > 0)) fail(`${at}, layer ${l}`, 'every score is 0');
      }
    });
    const d = set.density;
    d.counts.forEach((layer, l) =>
      layer.forEach((counts, k) => {
        const where = `set ${quoted(set.name, 40)}, layer ${l}, ${MATRICES[k]}`;
        finite(where, 'Σ mean A', d.sumMeanA[l][k]);
        for (const n of counts) {
          if (!(Number.isInteger(n) && n >= 0 && n <= params[k]))
            fail(where, `the density count ${n} is not within 0…${params[k]} parameters`);
        }
      }),
    );
  }
  for (const p of out.pairs) {
    p.llmdcos.forEach((layers, i) =>
      layers.forEach((v, l) => {
        const where = `pair ${quoted(p.a, 40)} · ${quoted(p.b, 40)} #${i + 1}, layer ${l}`;
        finite(where, 'LLMDcos', v);
        if (v < -1e-4 || v > 1 + 1e-4) fail(where, `LLMDcos ${v} is outside 0…1`);
      }),
    );
  }
  out.pooled?.forEach((set, si) =>
    set.forEach((h, i) => {
      const at = `set ${quoted(out.sets[si]?.name ?? String(si), 40)}, sample ${i + 1}`;
      if (!h || h.length !== c.embeddingLength) fail(at, 'no pooled hidden state');
      h.forEach((v) => finite(at, 'the pooled hidden state', v));
    }),
  );
}
