// Incremental runs over the result cache: what is cached is not recomputed, results equal a plain
// run, renamed sets hit the cache, a cancelled run keeps finished units, quota errors are kept.
import { describe, expect, it } from 'vitest';
import { runIncremental, type PlanUnit } from '../../src/engine/incremental';
import { runReference } from '../../src/engine/run-reference';
import type { RunOutput } from '../../src/engine/types';
import { memoryStore, CacheWriteError, type CacheStore } from '../../src/cache/store';
import type { RunOptions, RunRequest } from '../../src/engine/types';
import { fixtureWeights } from '../helpers/fixtures';

const set = (name: string, seed: number, n = 2) => ({
  name,
  samples: Array.from({ length: n }, (_, i) => ({
    source: `${name}.${i}`,
    tokens: [1, 3 + ((seed * 13 + i * 7) % 40), 4 + ((seed + i) % 30)],
  })),
});

const base = { thresholds: [1e-3], metric: 'grad_x_weight' as const, maxTokens: 8 };

async function harness() {
  const w = await fixtureWeights('f32');
  const calls: RunRequest[] = [];
  const exec = (r: RunRequest, o: RunOptions) => {
    calls.push(r);
    return runReference(w, r, o);
  };
  return { w, calls, exec };
}

describe('runIncremental', () => {
  it('a tampered cached set or pair is not drawn: computed again, replaced, and said', async () => {
    const { w, calls, exec } = await harness();
    const cache = memoryStore();
    const req: RunRequest = {
      ...base,
      sets: [set('A', 1), set('B', 2)],
      pairs: [{ a: 'A', b: 'B' }],
    };
    const plain = await runReference(w, req);
    await runIncremental(req, 'm1', cache, exec);
    const keys = await cache.list();
    const tamper = async (kind: string, f: (d: any) => void) => {
      const k = keys.find((e) => e.kind === kind)!.key;
      const e = (await cache.get<any>(k))!;
      const data = structuredClone(e.data);
      f(data);
      await cache.putMany([[k, { ...e, data }]]);
    };
    await tamper('set', (d) => (d.density.counts[0][2] = ['x']));
    await tamper('pair', (d) => (d.llmdcos[0][1] = 7));
    calls.length = 0;
    const r = await runIncremental(req, 'm1', cache, exec);
    expect(calls).toHaveLength(1);
    expect(r.out).toEqual(plain);
    expect(r.cacheErrors).toHaveLength(2);
    expect(r.cacheErrors[0]).toMatch(
      /^The cached result of set "[AB]" did not validate \(density\.counts\[0\]\[2\]\[0\]: not a count\): it was not used/,
    );
    expect(r.cacheErrors[1]).toMatch(
      /pair A:B did not validate \(llmdcos\[0\]: expected 3 values in \[0, 1\]\)/,
    );
    // replaced by the recomputed results: the next run takes both from the cache
    calls.length = 0;
    const again = await runIncremental(req, 'm1', cache, exec);
    expect(calls).toHaveLength(0);
    expect(again.cacheErrors).toEqual([]);
  });

  it('first run equals a plain run; a second run computes nothing; a new set only itself', async () => {
    const { w, calls, exec } = await harness();
    const cache = memoryStore();
    const req: RunRequest = {
      ...base,
      sets: [set('A', 1), set('B', 2)],
      pairs: [{ a: 'A', b: 'B' }],
    };
    const first = await runIncremental(req, 'm1', cache, exec);
    expect(first.complete).toBe(true);
    expect(calls).toHaveLength(1); // the pair unit computes both sets
    const plain = await runReference(w, req);
    expect(first.out).toEqual(plain);
    expect((await cache.list()).map((e) => e.kind).sort()).toEqual(['pair', 'set', 'set']);

    calls.length = 0;
    const again = await runIncremental(req, 'm1', cache, exec);
    expect(calls).toHaveLength(0);
    expect(again.out).toEqual(plain);
    expect(again.cached).toEqual({ sets: ['A', 'B'], pairs: ['A:B'] });

    expect(again.rewalked).toEqual([]);
    // a new pair of two cached sets walks them again (LLMDcos needs their gradients) and says so
    calls.length = 0;
    const swapped = await runIncremental(
      { ...req, pairs: [{ a: 'B', b: 'A' }] },
      'm1',
      cache,
      exec,
    );
    expect(calls).toHaveLength(1);
    expect(swapped.computed).toEqual({ sets: [], pairs: ['B:A'] });
    expect(swapped.cached.sets).toEqual(['A', 'B']);
    expect(swapped.rewalked.sort()).toEqual(['A', 'B']);
    expect(swapped.out.sets).toEqual(plain.sets);
    calls.length = 0;

    const req3 = { ...req, sets: [...req.sets, set('C', 3)] };
    const third = await runIncremental(req3, 'm1', cache, exec);
    expect(calls.map((c) => c.sets.map((s) => s.name))).toEqual([['C']]);
    expect(third.computed).toEqual({ sets: ['C'], pairs: [] });
    expect(third.out.sets.map((s) => s.name)).toEqual(['A', 'B', 'C']);
  });

  it('keys on content: a renamed set hits the cache; another model or setting does not', async () => {
    const { calls, exec } = await harness();
    const cache = memoryStore();
    await runIncremental({ ...base, sets: [set('A', 1)], pairs: [] }, 'm1', cache, exec);
    calls.length = 0;
    const renamed = { ...set('A', 1), name: 'Z' };
    const r = await runIncremental({ ...base, sets: [renamed], pairs: [] }, 'm1', cache, exec);
    expect(calls).toHaveLength(0);
    expect(r.out.sets[0].name).toBe('Z');
    expect(r.out.sets[0].samples[0].source).toBe('A.0');
    await runIncremental({ ...base, sets: [renamed], pairs: [] }, 'm2', cache, exec);
    await runIncremental(
      { ...base, thresholds: [1e-2], sets: [renamed], pairs: [] },
      'm1',
      cache,
      exec,
    );
    const more = {
      ...base,
      maxTokens: 2,
      sets: [
        {
          ...renamed,
          samples: renamed.samples.map((s) => ({ ...s, tokens: s.tokens.slice(0, 2) })),
        },
      ],
      pairs: [],
    };
    await runIncremental(more, 'm1', cache, exec);
    expect(calls).toHaveLength(3);
  });

  it('a cancelled run returns the finished units and the next run resumes', async () => {
    const { calls, exec } = await harness();
    const cache = memoryStore();
    const ac = new AbortController();
    const req: RunRequest = { ...base, sets: [set('A', 1), set('B', 2), set('C', 3)], pairs: [] };
    let units: PlanUnit[] = [];
    const partials: RunOutput[] = [];
    const cancelAfterFirst = (r: RunRequest, o: RunOptions) => {
      if (calls.length === 1) ac.abort();
      return exec(r, o);
    };
    const r = await runIncremental(req, 'm1', cache, cancelAfterFirst, {
      signal: ac.signal,
      onPlan: (u) => (units = u),
      onPartial: (o) => partials.push(o),
    });
    expect(units).toHaveLength(3);
    expect(r.complete).toBe(false);
    expect(r.out.sets.map((s) => s.name)).toEqual(['A']);
    expect(partials.map((p) => p.sets.length)).toEqual([0, 1]);
    calls.length = 0;
    const resumed = await runIncremental(req, 'm1', cache, exec);
    expect(calls.map((c) => c.sets[0].name)).toEqual(['B', 'C']);
    expect(resumed.complete).toBe(true);
  });

  it('a full cache keeps the results and reports the write that failed', async () => {
    const { exec } = await harness();
    const mem = memoryStore();
    const full: CacheStore = {
      ...mem,
      putMany: async () => {
        const e = new Error('quota');
        e.name = 'QuotaExceededError';
        throw new CacheWriteError('set A', e);
      },
    };
    const r = await runIncremental({ ...base, sets: [set('A', 1)], pairs: [] }, 'm1', full, exec);
    expect(r.complete).toBe(true);
    expect(r.out.sets).toHaveLength(1);
    expect(r.cacheErrors[0]).toMatch(/quota is full while writing set A/);
    expect(await mem.list()).toEqual([]);
  });
});
