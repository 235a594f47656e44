// Every number of a run's output in a fixed order, for comparing two backends element-wise.
import type { RunOutput } from '../../src/engine/types';

/** Per sample max logit, arg-max, Σ A, Σ A², max A; per set density counts and Σ mean A; LLMDcos. */
export function resultNumbers(o: RunOutput): number[] {
  return [
    ...o.sets.flatMap((s) =>
      s.samples.flatMap((x) => [
        x.maxLogit,
        x.argmax,
        ...x.sumA.flat(),
        ...x.sumA2.flat(),
        ...x.maxA.flat(),
      ]),
    ),
    ...o.sets.flatMap((s) => [...s.density.counts.flat(2), ...s.density.sumMeanA.flat()]),
    ...o.pairs.flatMap((p) => p.llmdcos.flat()),
  ];
}
