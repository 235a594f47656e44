// The app's import of several results files at once (stores/persist.ts importDocuments): a run's
// shards by units are merged into the unsharded run's results; a missing shard or shards by
// samples are refused by file name, and nothing already drawn is replaced.
import { beforeAll, describe, expect, it } from 'vitest';
import { importDocuments } from '../../src/stores/persist';
import { session } from '../../src/stores/session.svelte';
import { runReference } from '../../src/engine/run-reference';
import { assembleResults } from '../../src/engine/assemble';
import { shardRequest } from '../../src/engine/shard';
import type { RunRequest } from '../../src/engine/types';
import type { Results } from '../../src/analysis/results';
import { fixtureWeights } from '../helpers/fixtures';

const set = (name: string, seed: number) => ({
  name,
  samples: [0, 1].map((i) => ({ source: `${name}${i}`, tokens: [1, 3 + seed + i, 9 + seed] })),
});

describe('importing a run’s shards at once', () => {
  let whole: Results;
  let files: { name: string; text: string }[];
  let samplesShard: string;
  beforeAll(async () => {
    const w = await fixtureWeights('f32');
    const req: RunRequest = {
      sets: [set('A', 1), set('B', 2), set('C', 3)],
      pairs: [{ a: 'A', b: 'B' }],
      thresholds: [1e-3],
      metric: 'grad_x_weight',
      maxTokens: 8,
    };
    const model = { name: 'fx', file: 'fx.gguf', config: w.config };
    const engine = { backend: 'reference' as const, precision: 'f32' as const };
    const doc = async (r: RunRequest, shard?: Results['shard']) => {
      const res = assembleResults(await runReference(w, r), r, model, engine);
      return shard ? { ...res, shard } : res;
    };
    whole = await doc(req);
    files = await Promise.all(
      [0, 1].map(async (i) => {
        const s = shardRequest(req, i, 2, 'units');
        return { name: `shard-${i}.json`, text: JSON.stringify(await doc(s.req, s.info)) };
      }),
    );
    const s = shardRequest({ ...req, pairs: [] }, 0, 2, 'samples');
    samplesShard = JSON.stringify(await doc(s.req, s.info));
  });

  it('merges shards by units into the unsharded run', () => {
    session.results = null;
    expect(importDocuments([files[1], files[0]]).merged).toMatch(/^2 shards \(3 sets\)/);
    const strip = (r: Results) => JSON.stringify({ ...r, createdAt: undefined, shard: undefined });
    expect(strip(session.results!)).toBe(strip(whole));
    expect(session.results!.shard).toBeUndefined();
  });

  it('refuses a missing shard or shards by samples, keeping what is drawn', () => {
    session.results = whole;
    const again = { name: 'again.json', text: files[0].text };
    expect(() => importDocuments([files[0], again])).toThrow(/again\.json: shard 0\/2 again/);
    expect(() =>
      importDocuments([
        { name: 's0.json', text: samplesShard },
        { name: 's0b.json', text: samplesShard },
      ]),
    ).toThrow(/s0\.json: shards by samples merge through their scores files/);
    expect(session.results).toBe(whole);
  });
});
