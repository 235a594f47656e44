// The metric table (src/analysis/metrics.ts METRIC_KINDS): what each metric needs is read from
// one entry, and the entry agrees with what the metric computes (metricValues, its twin's
// formula) and with shaders/score.wgsl's cases.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  GRAD_METRIC_MASK,
  NORM_METRIC_MASK,
  METRIC_KINDS,
  METRICS,
  metricKind,
  metricValues,
} from '../../src/analysis/metrics';
import { walksInBatches } from '../../src/engine/batch-plan';

const W = Float64Array.of(0.5, -2, 1.5, -0.25);
const dW = Float64Array.of(3, 0.1, -1, 4);
const xn = Float64Array.of(2, 7);

describe('the metric table', () => {
  it('gives each metric its own shader case, and score.wgsl has each case', () => {
    const cases = METRIC_KINDS.map((k) => k.shader);
    expect(new Set(cases).size).toBe(cases.length);
    const wgsl = readFileSync(new URL('../../shaders/score.wgsl', import.meta.url), 'utf8');
    const fn = wgsl.slice(wgsl.indexOf('fn metric('), wgsl.indexOf('fn needs_grad'));
    for (const c of cases.filter((x) => x < cases.length - 1))
      expect(fn, `case ${c}u`).toContain(`case ${c}u:`);
    expect(fn).toContain('default:'); // the last case
    expect(METRICS).toEqual(METRIC_KINDS.map((k) => k.id));
    expect(() => metricKind('nope' as never)).toThrow(/unknown metric/);
  });

  it('flags what each metric reads: a gradient metric needs ∂D/∂W, Wanda the input norms', () => {
    for (const k of METRIC_KINDS) {
      const A = metricValues(k.id, W, 2, dW, xn);
      if (k.gradient) expect(() => metricValues(k.id, W, 2, undefined, xn)).toThrow(/gradient/);
      else expect(metricValues(k.id, W, 2, Float64Array.of(9, 9, 9, 9), xn)).toEqual(A);
      if (k.inputNorms) expect(() => metricValues(k.id, W, 2, dW)).toThrow(/norms/);
      else expect(metricValues(k.id, W, 2, dW, Float64Array.of(5, 5))).toEqual(A);
      // a metric that reads neither the gradient nor the inputs is |W| whatever the sample
      if (!k.inputs) expect([...A]).toEqual([...W].map(Math.abs));
      // the shader's masks have the gradient metrics' and the input-norm metrics' bits
      expect(((GRAD_METRIC_MASK >> k.shader) & 1) === 1).toBe(k.gradient);
      expect(((NORM_METRIC_MASK >> k.shader) & 1) === 1).toBe(k.inputNorms);
    }
  });

  it('batches the layer walk for the gradient metrics only', () => {
    for (const k of METRIC_KINDS)
      expect(walksInBatches({ pairs: [], metric: k.id }, false)).toBe(k.gradient);
  });
});
