// npm run merge -- a.json b.json … --out all.json [--scores DIR …] [--scores-out DIR]
// Merges the results of a sharded `npm run analyze -- --shard I/N --shard-by units|samples` run
// (src/engine/shard.ts, src/engine/merge.ts). By samples, --scores names each shard's
// --scores-out folder, in the order of the results files; --scores-out writes the merged sums.
import { parseArgs } from 'node:util';
import { basename, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { validateResults, type Results } from '../analysis/results';
import { mergeSampleShards, mergeUnitShards, type Shard, type ShardSums } from '../engine/merge';
import { ScoresWriter } from '../scores/writer';
import { TOOL } from '../scores/layout';
import { tokenIdsHash } from '../cache/keys';
import { checkOutputs, writeOutput } from './outputs';
import { inputFile, reportError, UsageError } from './common';
import { openScoresFile, type ScoresFile } from './scores-read';
import { positionedFile, scoresFileName, scoresPaths } from './scores-out';

const USAGE = `usage: npm run merge -- SHARD.json [SHARD.json ...] --out merged.json
  [--scores DIR ...  (sharded by samples: each shard's --scores-out folder, in the same order)]
  [--scores-out DIR  (sharded by samples: the merged per-weight sums, one file per set)]`;

/** A results file, validated; errors name the file. */
async function readResults(path: string): Promise<Shard> {
  const p = await inputFile('results', path);
  let r: unknown;
  try {
    r = JSON.parse(await readFile(p, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  const errs = validateResults(r);
  if (errs.length) throw new Error(`${path}: not a results file: ${errs.slice(0, 3).join('; ')}`);
  return { name: path, results: r as Results };
}

/** Each shard's scores folder as ShardSums (files opened as asked for, checked on opening). */
function shardSums(dirs: string[], shards: Shard[], opened: ScoresFile[]): ShardSums[] {
  return dirs.map((dir, k) => {
    const c = shards[k].results.model.config;
    const files = new Map<string, Promise<ScoresFile>>();
    const file = (set: string) => {
      let f = files.get(set);
      if (!f) {
        f = openScoresFile(join(dir, scoresFileName(set)), c).then((x) => (opened.push(x), x));
        files.set(set, f);
      }
      return f;
    };
    return {
      meta: async (set) => (await file(set)).header.metadata,
      matrix: async (set, l, m) => (await file(set)).matrix(l, m),
    };
  });
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        scores: { type: 'string', multiple: true },
        'scores-out': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!positionals.length || !values.out)
    throw new UsageError('results files and --out are required');
  const dirs = values.scores ?? [];
  if (dirs.length && dirs.length !== positionals.length)
    throw new UsageError(
      `--scores: one folder per results file (${positionals.length}), in their order`,
    );
  await checkOutputs(
    [{ flag: '--out', path: values.out }],
    positionals.map((path) => ({ flag: 'results', path })),
  );
  const shards = await Promise.all(positionals.map(readResults));
  const by = shards[0].results.shard?.by;
  let out: Results;
  if (by !== 'samples') {
    if (dirs.length || values['scores-out'])
      throw new UsageError('--scores and --scores-out are for shards by samples');
    out = mergeUnitShards(shards);
  } else {
    if (!dirs.length)
      throw new UsageError('shards by samples need --scores: each shard’s --scores-out folder');
    out = await mergeBySamples(shards, dirs, values['scores-out']);
  }
  const errs = validateResults(out);
  if (errs.length) throw new Error(`internal: merged results do not validate:\n${errs.join('\n')}`);
  await writeOutput(values.out, JSON.stringify(out));
  console.log(
    `${shards.length} shard(s) merged: ${out.sets.length} set(s), ${out.pairs.length} pair(s) → ${values.out}`,
  );
  return 0;
}

/** Set n's samples' token ids in the run's order, from shards by samples. */
function mergedTokens(shards: Shard[], n: number): number[][] {
  const out: number[][] = [];
  for (const s of shards)
    s.results.sets[n].samples.forEach(
      (x, q) => (out[s.results.shard!.samples![n][q]] = x.tokenIds),
    );
  return out;
}

async function mergeBySamples(
  shards: Shard[],
  dirs: string[],
  scoresOut?: string,
): Promise<Results> {
  const opened: ScoresFile[] = [];
  const info = shards[0].results.shard!;
  const r0 = shards[0].results;
  const writers = new Map<string, ScoresWriter>();
  try {
    const paths = scoresOut ? await scoresPaths(scoresOut, info.sets) : [];
    const out = await mergeSampleShards(
      shards,
      shardSums(dirs, shards, opened),
      async (set, l, m, sums) => {
        if (!scoresOut) return;
        let w = writers.get(set);
        if (!w) {
          const meta = opened.find((f) => f.header.metadata.set === set)!.header.metadata;
          const n = info.sets.indexOf(set);
          const tokens = mergedTokens(shards, n);
          w = await ScoresWriter.open(
            r0.model.config,
            {
              set,
              model: r0.model.name,
              modelKey: meta.model_key,
              metric: r0.settings.metric,
              samples: tokens.length,
              maxTokens: r0.settings.maxTokens,
              tokenIds: await tokenIdsHash({
                name: set,
                samples: tokens.map((t) => ({ source: '', tokens: t })),
              }),
              tool: TOOL,
            },
            await positionedFile(paths[n]),
          );
          writers.set(set, w);
        }
        await w.put(l, m, sums);
      },
    );
    for (const w of writers.values()) await w.finish();
    return out;
  } catch (e) {
    await Promise.all([...writers.values()].map((w) => w.abort()));
    throw e;
  } finally {
    await Promise.all(opened.map((f) => f.close()));
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => process.exit(reportError(e, USAGE)),
  );
}
