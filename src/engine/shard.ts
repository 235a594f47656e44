// Sharding a run across processes or machines (`npm run analyze -- --shard I/N --shard-by …`) and
// merging the shards' results (`npm run merge`), chosen explicitly:
// - by units: sets joined by pairs form one unit; unit u goes to shard u mod N. Each shard's
//   results are whole sets and pairs, merged back in the request's order: equal to the unsharded
//   run's numbers bit for bit (each set's numbers depend only on its own samples).
// - by samples: sample j of every set goes to shard j mod N; each shard also writes its sets'
//   per-weight sums (--scores-out); the merge adds the sums and recomputes density from the merged
//   means (src/engine/merge-samples.ts). Pairs need whole sets: refused here.
import type { RunRequest } from './types';
import type { ShardBy, ShardInfo } from '../analysis/results';

export const SHARD_BY: ShardBy[] = ['units', 'samples'];

/** `I/N` as numbers; throws with the form expected. */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 4096 || index >= count)
    throw new Error(`--shard ${s}: expected I/N with 0 ≤ I < N ≤ 4096`);
  return { index, count };
}

/** Units: the sets joined by pairs, each as its set indices (in the request's order). */
export function shardUnits(req: Pick<RunRequest, 'sets' | 'pairs'>): number[][] {
  const at = new Map(req.sets.map((s, i) => [s.name, i]));
  const root = req.sets.map((_, i) => i);
  const find = (i: number): number => (root[i] === i ? i : (root[i] = find(root[i])));
  for (const p of req.pairs) {
    const [a, b] = [find(at.get(p.a)!), find(at.get(p.b)!)];
    root[Math.max(a, b)] = Math.min(a, b);
  }
  const units = new Map<number, number[]>();
  req.sets.forEach((_, i) => units.set(find(i), [...(units.get(find(i)) ?? []), i]));
  return [...units.values()];
}

/** This shard's part of `req` and what its results must record. */
export function shardRequest(
  req: RunRequest,
  index: number,
  count: number,
  by: ShardBy,
): { req: RunRequest; info: ShardInfo } {
  const info: ShardInfo = {
    index,
    count,
    by,
    sets: req.sets.map((s) => s.name),
    pairs: req.pairs.map((p) => [p.a, p.b, p.shift ?? 0]),
  };
  if (by === 'units') {
    const units = shardUnits(req);
    if (units.length < count)
      throw new Error(
        `--shard ${index}/${count}: the run has ${units.length} unit(s) (sets joined by pairs): shard by units into at most ${units.length}`,
      );
    const mine = new Set(units.filter((_, u) => u % count === index).flat());
    const names = new Set([...mine].map((i) => req.sets[i].name));
    return {
      req: {
        ...req,
        sets: req.sets.filter((_, i) => mine.has(i)),
        pairs: req.pairs.filter((p) => names.has(p.a)),
      },
      info,
    };
  }
  if (req.pairs.length)
    throw new Error(
      `--shard-by samples: pairs need whole sets — shard by units, or run pairs apart`,
    );
  const short = req.sets.find((s) => s.samples.length < count);
  if (short)
    throw new Error(
      `--shard ${index}/${count} by samples: set ${JSON.stringify(short.name)} has ${short.samples.length} sample(s), fewer than the shards`,
    );
  const samples = req.sets.map((s) =>
    s.samples.map((_, j) => j).filter((j) => j % count === index),
  );
  return {
    req: {
      ...req,
      sets: req.sets.map((s, i) => ({ ...s, samples: samples[i].map((j) => s.samples[j]) })),
    },
    info: { ...info, samples },
  };
}
