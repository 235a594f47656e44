// npm run analyze -- --model M.gguf --set NAME=FILE [--set NAME=FILE ...] [--pair A:B ...]
//   [--threshold X ...] [--metric grad_x_weight|grad|wanda|magnitude] [--max-tokens N]
//   [--split auto|paragraphs|lines|file] [--backend reference|gpu] --out results.json
//   [--scores-out DIR]  (per set, DIR/<set>.safetensors: every scored weight's Σ A; docs/scores-format.md)
import { checkOutputs, writeOutput } from './outputs';
import { basename } from 'node:path';
import type { ByteSource } from '../gguf/source';
import { type LlamaConfig } from '../model/config';
import { llamaConfig } from '../model/read-config';
import { modelKey, tokenIdsHash } from '../cache/keys';
import { ScoresWriter } from '../scores/writer';
import { TOOL } from '../scores/layout';
import { positionedFile, scoresPaths } from './scores-out';
import { parseShard, SHARD_BY, shardRequest } from '../engine/shard';
import type { ShardBy, ShardInfo } from '../analysis/results';
import { tokenizerFromGguf } from '../tokenizer/index';
import { DEFAULT_MAX_TOKENS, type TxtSplit } from '../samples/load';
import { METRICS, type Metric } from '../analysis/metrics';
import { defaultThreshold } from '../analysis/density';
import { validateResults } from '../analysis/results';
import { assembleResults } from '../engine/assemble';
import type { RunRequest, RunSet } from '../engine/types';
import type { Tokenizer } from '../tokenizer/index';
import { quoted } from '../util/message';
import {
  engineChoice,
  inputFile,
  integerOption,
  modelArg,
  parseOptions,
  reportError,
  runOn,
  sampleFile,
  splitOf,
  UsageError,
} from './common';

const USAGE = `usage: npm run analyze -- --model M.gguf --set NAME=FILE [--set NAME=FILE ...]
  [--pair A:B ...] [--threshold X ...] [--metric ${METRICS.join('|')}]
  [--max-tokens N] [--split auto|paragraphs|lines|file] [--backend reference|gpu]
  [--precision f32|f16|auto (gpu: f16 needs shader-f16, results within 1e-2 of f32; auto: the fastest path the adapter has, named with the reason)] --out results.json
  [--scores-out DIR (per set, DIR/<set>.safetensors: every scored weight's sum of A over the set's samples, F32, under its GGUF name)]
  [--shard I/N --shard-by units|samples (this shard's part of the run; npm run merge joins them; by samples needs --scores-out)]`;

const OPTIONS = {
  model: { type: 'string' },
  set: { type: 'string', multiple: true },
  pair: { type: 'string', multiple: true },
  threshold: { type: 'string', multiple: true },
  metric: { type: 'string', default: 'grad_x_weight' },
  'max-tokens': { type: 'string', default: String(DEFAULT_MAX_TOKENS) },
  split: { type: 'string', default: 'auto' },
  backend: { type: 'string', default: 'reference' },
  precision: { type: 'string', default: 'f32' },
  out: { type: 'string' },
  'scores-out': { type: 'string' },
  shard: { type: 'string' },
  'shard-by': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The --set NAME=FILE arguments as run sets of token ids; a name given twice is refused. */
async function readSets(
  specs: string[],
  tok: Tokenizer,
  split: TxtSplit,
  maxTokens: number,
): Promise<Map<string, RunSet>> {
  const sets = new Map<string, RunSet>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${spec}: expected NAME=FILE`);
    const name = spec.slice(0, eq);
    if (sets.has(name))
      throw new UsageError(`--set ${quoted(name)} is given twice: each set needs its own name`);
    const path = await inputFile(`--set ${name}=`, spec.slice(eq + 1));
    sets.set(name, { name, samples: await sampleFile(path, tok, maxTokens, split) });
  }
  return sets;
}

/** The shard's part of the run (--shard I/N --shard-by units|samples), or the whole run. */
function shardOf(
  req: RunRequest,
  shard: string | undefined,
  by: string | undefined,
  scoresOut: boolean,
): { req: RunRequest; info?: ShardInfo } {
  if (shard === undefined) {
    if (by !== undefined) throw new UsageError('--shard-by needs --shard I/N');
    return { req };
  }
  if (!SHARD_BY.includes(by as ShardBy))
    throw new UsageError(`--shard needs --shard-by ${SHARD_BY.join('|')} (say which)`);
  if (by === 'samples' && !scoresOut)
    throw new UsageError('--shard-by samples needs --scores-out DIR: the merge adds the sums');
  try {
    const { index, count } = parseShard(shard);
    return shardRequest(req, index, count, by as ShardBy);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** One scores writer per set, headers written (src/scores). */
async function openScores(
  config: LlamaConfig,
  model: ByteSource,
  req: RunRequest,
  paths: Map<string, string>,
  metric: Metric,
  maxTokens: number,
): Promise<ScoresWriter[]> {
  const key = await modelKey(model);
  const out: ScoresWriter[] = [];
  try {
    for (const set of req.sets) {
      const meta = {
        set: set.name,
        model: config.name,
        modelKey: key,
        metric,
        samples: set.samples.length,
        maxTokens,
        tokenIds: await tokenIdsHash(set),
        tool: TOOL,
      };
      out.push(await ScoresWriter.open(config, meta, await positionedFile(paths.get(set.name)!)));
    }
  } catch (e) {
    await Promise.all(out.map((w) => w.abort()));
    throw e;
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const values = parseOptions(argv, OPTIONS);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.model || !values.set?.length || !values.out)
    throw new UsageError('--model, --set and --out are required');
  const metric = values.metric as Metric;
  if (!METRICS.includes(metric))
    throw new UsageError(`--metric ${values.metric}: one of ${METRICS.join(', ')}`);
  const maxTokens = integerOption('--max-tokens', values['max-tokens'], 1, 'a positive integer');
  const split = splitOf(values.split);
  const { backend, precision } = engineChoice(values);
  const inputs = [
    { flag: '--model', path: values.model },
    ...values.set.map((spec) => ({ flag: '--set', path: spec.slice(spec.indexOf('=') + 1) })),
  ];
  const scoresDir = values['scores-out'];
  const scoresFiles = scoresDir
    ? await scoresPaths(
        scoresDir,
        values.set.map((spec) => spec.slice(0, Math.max(0, spec.indexOf('=')))),
      )
    : [];
  await checkOutputs(
    [
      { flag: '--out', path: values.out },
      ...scoresFiles.map((path) => ({ flag: '--scores-out', path })),
    ],
    inputs,
  );

  const { file } = await modelArg(values.model);
  const config = llamaConfig(file);
  const tok = tokenizerFromGguf(file);
  const sets = await readSets(values.set, tok, split, maxTokens);
  const pairs = (values.pair ?? []).map((p) => {
    const [a, b, s, extra] = p.split(':');
    const shift = s === undefined ? 0 : Number(s);
    if (!a || !b || extra !== undefined || !Number.isInteger(shift) || shift < 0)
      throw new UsageError(`--pair ${p}: expected A:B or A:B:SHIFT (SHIFT ≥ 0)`);
    return shift ? { a, b, shift } : { a, b };
  });
  const thresholds = (values.threshold ?? [String(defaultThreshold(config.blockCount))]).map(
    (t) => {
      const x = Number(t);
      if (!Number.isFinite(x) || x < 0)
        throw new UsageError(`--threshold ${t}: a non-negative number`);
      return x;
    },
  );
  const whole: RunRequest = { sets: [...sets.values()], pairs, thresholds, metric, maxTokens };
  const { req, info } = shardOf(whole, values.shard, values['shard-by'], !!scoresDir);
  const started = Date.now();
  const scores = scoresDir
    ? await openScores(
        config,
        file.source,
        req,
        new Map([...sets.keys()].map((n, i) => [n, scoresFiles[i]])),
        metric,
        maxTokens,
      )
    : [];
  let ran;
  try {
    ran = await runOn(
      file,
      req,
      backend,
      precision,
      scores.length ? (si, l, m, sums) => scores[si].put(l, m, sums) : undefined,
    );
    for (const w of scores) await w.finish();
  } catch (e) {
    await Promise.all(scores.map((w) => w.abort()));
    throw e;
  }
  const { out, engine } = ran;
  const results = assembleResults(
    out,
    req,
    { name: config.name, file: basename(values.model), config },
    engine,
  );
  if (info) results.shard = info;
  const errs = validateResults(results);
  if (errs.length) throw new Error(`internal: results do not validate:\n${errs.join('\n')}`);
  await writeOutput(values.out, JSON.stringify(results));
  const n = req.sets.reduce((s, x) => s + x.samples.length, 0);
  console.log(
    `${n} samples in ${req.sets.length} set(s), ${pairs.length} pair(s), ${((Date.now() - started) / 1000).toFixed(2)} s → ${values.out}` +
      (scoresDir ? `; scores → ${scores.length} file(s) in ${scoresDir}` : ''),
  );
  return 0;
}

const isEntry = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => process.exit(reportError(e, USAGE)),
  );
}
