// The pruning lab's flows (src/prune/sweep.ts) in Node, on a fixture, without the page: a sweep's
// points equal the same prune + perplexity done by hand, a second sweep takes every point from the
// cache, a cancelled sweep keeps the points finished before it and leaves the model dense, OWL's
// ratios are measured once per basis and M, and an exported image reads back pruned as the point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appContext } from '../helpers/gpu';
import { fixtureFile } from '../helpers/fixtures';
import type { GpuContext } from '../../src/gpu/runtime/context';
import { uploadLlama, type GpuLlama } from '../../src/gpu/model';
import { gpuPerplexity } from '../../src/engine/perplexity';
import { withPruned } from '../../src/prune/gpu';
import { memoryStore } from '../../src/cache/store';
import { llamaConfig } from '../../src/model/read-config';
import { readGguf } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { labRequest, prunedImage, pruneSweep, type LabModel } from '../../src/prune/sweep';
import type { LabPoint } from '../../src/prune/lab';

const CALIBRATION = [
  [1, 17, 200, 5, 91, 300, 8],
  [1, 44, 9],
];
const EVAL = [
  { source: 'a', tokens: [1, 7, 80, 5, 91, 33, 8, 100] },
  { source: 'b', tokens: [1, 3, 3, 3, 250, 12, 77, 140, 9] },
];
const INPUTS = { evalSamples: EVAL, calibration: CALIBRATION, basis: 'fixture · test' };
const SETTINGS = { seed: 3, owlM: 3, owlLambda: 0.1, densitySparsity: () => null };
const WANTED = [
  { method: 'wanda' as const, allocation: 'uniform' as const, S: 0.5 },
  { method: 'magnitude' as const, allocation: 'uniform' as const, S: 0.5 },
  { method: 'wanda' as const, allocation: 'owl' as const, S: 0.5 },
];

describe('the pruning lab’s flows', () => {
  let ctx: GpuContext;
  let model: GpuLlama;
  let m: LabModel;
  let densePpl: number;
  beforeAll(async () => {
    ctx = await appContext();
    const file = await fixtureFile('q4_0');
    model = await uploadLlama(ctx, file);
    const config = llamaConfig(file);
    m = { ctx, model, file, config, key: 'q4_0-fixture', name: 'q4_0', precision: 'f32' };
    densePpl = (await gpuPerplexity(ctx, model, EVAL)).ppl;
  });
  afterAll(() => {
    model?.destroy();
    ctx?.device.destroy();
  });

  const cache = memoryStore();
  let first: LabPoint[] = [];

  it('sweeps: each point the same prune and perplexity done by hand; OWL measured once', async () => {
    const seen: LabPoint[] = [];
    let owlReports = 0;
    const out = await pruneSweep(m, INPUTS, WANTED, SETTINGS, { dense: null, owl: null }, cache, {
      onPoint: (p) => seen.push(p),
      onProgress: (_f, label) => label.startsWith("OWL's") && owlReports++,
    });
    first = out.points;
    expect(out.fromCache).toBe(0);
    expect(seen).toEqual(out.points);
    expect(out.known.dense!.ppl).toBe(densePpl);
    expect(owlReports).toBeGreaterThan(0);
    expect(out.known.owl!.ratios).toHaveLength(m.config.blockCount);
    for (const [i, w] of WANTED.entries()) {
      const p = out.points[i];
      expect([p.method, p.allocation, p.S]).toEqual([w.method, w.allocation, w.S]);
      const req = labRequest(w.method, p.layerSparsity, INPUTS, w.allocation, SETTINGS.seed);
      const byHand = await withPruned(ctx, model, m.file, req, {}, () =>
        gpuPerplexity(ctx, model, EVAL),
      );
      expect(p.ppl).toBe(byHand.ppl);
      expect(p.ppl).not.toBe(densePpl);
    }
    // OWL's S_i spread over [S − λ, S + λ] with mean S
    const owl = out.points[2].layerSparsity;
    expect(owl.reduce((a, b) => a + b, 0) / owl.length).toBeCloseTo(0.5, 12);
    expect(Math.max(...owl) - Math.min(...owl)).toBeCloseTo(2 * SETTINGS.owlLambda, 12);
    // the model is dense again
    expect((await gpuPerplexity(ctx, model, EVAL)).ppl).toBe(densePpl);
  });

  it('takes every point from the cache the second time, measuring nothing', async () => {
    const again = await pruneSweep(m, INPUTS, WANTED, SETTINGS, { dense: null, owl: null }, cache);
    expect(again.fromCache).toBe(WANTED.length);
    expect(again.points.map((p) => p.ppl)).toEqual(first.map((p) => p.ppl));
    expect(again.points.every((p) => p.cached && p.seconds === 0)).toBe(true);
  });

  it('cancelled mid-sweep: the finished point kept, the rest neither measured nor cached, the model dense', async () => {
    const fresh = memoryStore();
    const abort = new AbortController();
    const seen: LabPoint[] = [];
    const run = pruneSweep(
      m,
      INPUTS,
      WANTED.slice(0, 2),
      { ...SETTINGS, seed: 9 },
      { dense: { ppl: densePpl, tokens: 15 }, owl: null },
      fresh,
      {
        signal: abort.signal,
        onPoint: (p) => (seen.push(p), abort.abort()),
      },
    );
    await expect(run).rejects.toThrow();
    expect(seen).toHaveLength(1);
    expect((await fresh.list()).length).toBe(1);
    expect((await gpuPerplexity(ctx, model, EVAL)).ppl).toBe(densePpl);
  });

  it('exports a point as a GGUF image whose weights are the pruned ones', async () => {
    const point = first[0];
    const image = await prunedImage(m, point, INPUTS, SETTINGS.seed);
    const file = await readGguf(bytesSource(image, 'pruned.gguf'));
    expect(file.metadata.get('paramscope.prune.method')?.value).toBe('wanda');
    const pruned = await uploadLlama(ctx, file);
    try {
      expect((await gpuPerplexity(ctx, pruned, EVAL)).ppl).toBe(point.ppl);
    } finally {
      pruned.destroy();
    }
    expect((await gpuPerplexity(ctx, model, EVAL)).ppl).toBe(densePpl);
  });
});
