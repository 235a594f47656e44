// Op cases for shaders/density.wgsl: of a set's Σ A over N samples, the mean-first counts above
// each threshold, zeros / under / over the histogram's range, and Σ mean (the histogram's bins
// are tests/gpu/density.test.ts's: f32 log10 may move a value across a bin edge).
import * as gpu from '../ops/density';
import { DensityReference } from '../../reference/density';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function densityCases(n: number, samples: number, thresholds: number[]): OpCase[] {
  const K = thresholds.length;
  // zeros, means below the histogram (< 1e-20) and above it (≥ 1e4) among the rest
  const acc = Float32Array.from(randomArray(n, 9), (x, i) =>
    i % 50 === 0 ? 0 : i % 97 === 1 ? 3e-25 : i % 89 === 2 ? 3e6 : Math.abs(x) ** 6 * 1e-3,
  );
  const counted = (c: { counts: number[]; hist: { zeros: number; under: number; over: number } }) =>
    Float32Array.from([...c.counts, c.hist.zeros, c.hist.under, c.hist.over]);
  return [
    {
      name: `density_finish (n=${n}, samples=${samples}, K=${K})`,
      inputs: { acc, thresholds: Float32Array.from(thresholds) },
      outputs: { counts: gpu.densityCounters(K), partials: gpu.densitySlots(n) },
      reference: ({ acc }) => {
        const r = new DensityReference(n);
        r.sum.set(acc);
        r.samples = samples;
        const f = r.finish(thresholds);
        return { counted: counted(f), sumMean: Float32Array.of(f.sumMeanA) };
      },
      gpu: (ctx, enc, b) =>
        gpu.densityFinish(ctx, enc, b.counts, b.partials, b.acc, b.thresholds, n, samples, K),
      readback: (got) => {
        const words = new Uint32Array(got.counts.buffer, got.counts.byteOffset, got.counts.length);
        const sumMean = got.partials.reduce((s, x) => s + x, 0);
        return { counted: counted(gpu.unpackDensity(words, K)), sumMean: Float32Array.of(sumMean) };
      },
      tolerance: () => ({ rel: 1e-5, abs: 0 }),
    },
  ];
}
