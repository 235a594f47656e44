// npm run sts -- --model M.gguf --pairs FILE [--window A:B] [--metric grad_x_weight|grad|wanda]
//   [--max-tokens N] [--seed S] [--backend reference|gpu] [--precision f32|f16|auto] --out sts.json
// The semantic-similarity check (docs/METHOD.md §5): each sentence scored alone (BOS + its tokens), the
// LLMDcos of each pair per layer, summed over the window, and Spearman's ρ against the gold
// scores — for the window (with a seeded bootstrap 95 % interval) and for every layer.
// Output: docs/sts-schema.md (paramscope.sts/1).
import { readFile } from 'node:fs/promises';
import { checkOutputs, writeOutput } from './outputs';
import { basename } from 'node:path';
import { llamaConfig } from '../model/read-config';
import { tokenizerFromGguf } from '../tokenizer/index';
import { DEFAULT_MAX_TOKENS, sampleTokens } from '../samples/load';
import { parsePairs } from '../samples/pairs';
import { METRICS, metricKind, type Metric } from '../analysis/metrics';
import { checkWindow, stsWindow } from '../analysis/sts';
import { stsDocument, stsRuns, tokenPairs } from '../engine/sts';
import type { Results } from '../analysis/results';
import {
  engineChoice,
  inputFile,
  integerOption,
  modelArg,
  parseOptions,
  reportError,
  runOn,
  UsageError,
} from './common';

export { STS_SCHEMA } from '../engine/sts';

const USAGE = `usage: npm run sts -- --model M.gguf --pairs FILE [--window A:B]
  [--metric grad_x_weight|grad|wanda] [--max-tokens N] [--seed S]
  [--backend reference|gpu] [--precision f32|f16|auto] --out sts.json`;

const OPTIONS = {
  model: { type: 'string' },
  pairs: { type: 'string' },
  window: { type: 'string' },
  metric: { type: 'string', default: 'grad_x_weight' },
  'max-tokens': { type: 'string', default: String(DEFAULT_MAX_TOKENS) },
  seed: { type: 'string', default: '0' },
  backend: { type: 'string', default: 'reference' },
  precision: { type: 'string', default: 'f32' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const options = (argv: string[]) => parseOptions(argv, OPTIONS);

/** The settings of `argv`, each refused by name when wrong. */
function settings(v: ReturnType<typeof options>) {
  if (!v.model || !v.pairs || !v.out)
    throw new UsageError('--model, --pairs and --out are required');
  const metric = v.metric as Metric;
  const usable = METRICS.filter((m) => metricKind(m).inputs).join(', ');
  if (!METRICS.includes(metric)) throw new UsageError(`--metric ${v.metric}: one of ${usable}`);
  if (!metricKind(metric).inputs)
    throw new UsageError(
      `--metric ${metric}: ${metricKind(metric).label} does not depend on the input, so every pair has LLMDcos 1 at every layer and ρ is undefined (one of ${usable})`,
    );
  const maxTokens = integerOption('--max-tokens', v['max-tokens'], 1, 'a positive integer');
  const seed = integerOption('--seed', v.seed, 0, 'an integer ≥ 0');
  const { backend, precision } = engineChoice(v);
  let window: [number, number] | null = null;
  if (v.window !== undefined) {
    const m = /^(\d+):(\d+)$/.exec(v.window);
    if (!m) throw new UsageError(`--window ${v.window}: A:B, 0-based layers, inclusive`);
    window = [Number(m[1]), Number(m[2])];
  }
  return {
    metric,
    maxTokens,
    seed,
    backend,
    precision,
    window,
    out: v.out,
    model: v.model,
    pairs: v.pairs,
  };
}

export async function main(argv: string[]): Promise<number> {
  const v = options(argv);
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const s = settings(v);
  await checkOutputs(
    [{ flag: '--out', path: s.out }],
    [
      { flag: '--model', path: s.model },
      { flag: '--pairs', path: s.pairs },
    ],
  );
  const { path: modelPath, file } = await modelArg(s.model);
  const pairsPath = await inputFile('--pairs', s.pairs);
  const config = llamaConfig(file);
  const L = config.blockCount;
  const window = s.window ?? stsWindow(L);
  try {
    checkWindow(window, L);
  } catch (e) {
    throw new UsageError(`--window: ${(e as Error).message}`);
  }
  const pairs = parsePairs(basename(pairsPath), new Uint8Array(await readFile(pairsPath)));
  const tok = tokenizerFromGguf(file);
  const tokenPairsOf = tokenPairs(pairs, (x) => sampleTokens(x, tok, s.maxTokens));
  const started = Date.now();
  let engine: Results['engine'] | undefined;
  const [run] = await stsRuns(tokenPairsOf, [s.metric], s.maxTokens, L, async (req) => {
    const r = await runOn(file, req, s.backend, s.precision);
    engine = r.engine;
    return r.out;
  });
  const doc = stsDocument(tokenPairsOf, run.req, run.measures, window, {
    engine: engine!,
    model: { name: config.name, file: basename(modelPath), layers: L },
    seed: s.seed,
  });
  await writeOutput(s.out, JSON.stringify(doc));
  const f = (x: number | null) => (x === null ? 'undefined' : x.toFixed(3));
  const [lo, hi] = doc.interval;
  console.log(
    `${doc.n} pairs (${doc.settings.sentences} distinct sentences), layers ${window[0]}…${window[1]}: Spearman ρ ${f(doc.spearman)} (95 % ${f(lo)} … ${f(hi)}); hidden-state baseline ρ ${f(doc.baseline.spearman)}; ${((Date.now() - started) / 1000).toFixed(2)} s → ${s.out}`,
  );
  return 0;
}

const isEntry = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isEntry)
  main(process.argv.slice(2)).then(process.exit, (e: Error) => process.exit(reportError(e, USAGE)));
