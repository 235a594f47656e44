// npm run prune -- --model M.gguf --eval FILE [--calibration FILE] [--method wanda|magnitude|score|random]
//   [--allocation uniform|density|owl|LIST_FILE] [--sparsity 0.5] [--pattern 2:4] [--alpha 2] [--beta 0.2]
//   [--density-set FILE --threshold X] [--owl-m 5 --owl-lambda 0.08] [--eval-windows 2048] [--max-tokens N] [--seed 0] [--backend reference|gpu]
//   [--precision f32|f16|auto] --out prune.json [--write-gguf pruned.gguf]
// The paper's Validations 1–2 (docs/METHOD.md §4): per-layer sparsities S_i (uniform, from a density
// set's activated counts, or OWL's outlier ratios on the calibration samples), the 7 matrices of every layer pruned row by row and perplexity on the
// eval samples, dense and pruned — all on the chosen backend (src/prune/prune.ts on the CPU for
// small models, src/prune/gpu.ts on the GPU).
// Output: docs/prune-schema.md (paramscope.prune/1).
import { fileReencodedNote } from '../prune/zero';
import { checkOutputs, writeOutput } from './outputs';
import { readFile } from 'node:fs/promises';
import { parseSamples } from '../samples/load';
import { evalWindows, protocolLabel, type EvalProtocol } from '../engine/eval-windows';
import { basename } from 'node:path';
import { llamaConfig } from '../model/read-config';
import { tokenizerFromGguf } from '../tokenizer/index';
import { DEFAULT_MAX_TOKENS } from '../samples/load';
import { checkAllocation } from '../analysis/allocation';
import { OWL_DEFAULTS, checkOwl, owlSparsity } from '../prune/owl';
import { PRUNE_METHODS, pruneKind, type PruneMethod } from '../prune/select';
import type { NmPattern } from '../reference/prune_mask';
import { allocationKind, namedAllocation } from '../prune/lab';
import {
  engineChoice,
  inputFile,
  integerOption,
  modelArg,
  parseOptions,
  reportError,
  sampleFile,
  splitOf,
  UsageError,
} from './common';
import * as io from './prune-io';

export const PRUNE_SCHEMA = 'paramscope.prune/1';

const USAGE = `usage: npm run prune -- --model M.gguf --eval FILE [--calibration FILE]
  [--method wanda|magnitude|score|random] [--allocation uniform|density|owl|LIST_FILE] [--sparsity 0.5]
  [--pattern 2:4|4:8] [--alpha 2] [--beta 0.2] [--density-set FILE --threshold X]
  [--owl-m 5] [--owl-lambda 0.08] [--eval-windows W] [--max-tokens N] [--seed 0]
  [--split auto|paragraphs|lines|file]
  [--backend reference|gpu] [--precision f32|f16|auto] --out prune.json [--write-gguf pruned.gguf]`;

const OPTIONS = {
  model: { type: 'string' },
  eval: { type: 'string' },
  calibration: { type: 'string' },
  method: { type: 'string', default: 'wanda' },
  allocation: { type: 'string', default: 'uniform' },
  sparsity: { type: 'string' },
  pattern: { type: 'string' },
  alpha: { type: 'string', default: '2' },
  beta: { type: 'string', default: '0.2' },
  'density-set': { type: 'string' },
  threshold: { type: 'string' },
  'owl-m': { type: 'string', default: String(OWL_DEFAULTS.M) },
  'owl-lambda': { type: 'string', default: String(OWL_DEFAULTS.lambda) },
  /** perplexity over the eval texts joined and cut into windows of this many tokens (Wanda's protocol) */
  'eval-windows': { type: 'string' },
  'max-tokens': { type: 'string', default: String(DEFAULT_MAX_TOKENS) },
  split: { type: 'string', default: 'auto' },
  seed: { type: 'string', default: '0' },
  backend: { type: 'string', default: 'reference' },
  precision: { type: 'string', default: 'f32' },
  out: { type: 'string' },
  'write-gguf': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const options = (argv: string[]) => parseOptions(argv, OPTIONS);

/** The settings of `argv`, each refused by name when wrong. */
function settings(v: ReturnType<typeof options>) {
  if (!v.model || !v.eval || !v.out) throw new UsageError('--model, --eval and --out are required');
  const method = v.method as PruneMethod;
  if (!PRUNE_METHODS.includes(method))
    throw new UsageError(`--method ${v.method}: one of ${PRUNE_METHODS.join(', ')}`);
  const kind = pruneKind(method);
  if (kind.calibration && !v.calibration)
    throw new UsageError(
      `--method ${method} needs --calibration FILE (${kind.inputNorms ? 'its column norms' : 'the samples it scores'})`,
    );
  const pattern = patternOf(v.pattern, v.sparsity, v.allocation);
  const sparsity = pattern ? pattern.n / pattern.m : Number(v.sparsity ?? '0.5');
  const [alpha, beta] = [Number(v.alpha), Number(v.beta)];
  try {
    checkAllocation(sparsity, alpha, beta);
  } catch (e) {
    throw new UsageError(`--sparsity/--alpha/--beta: ${(e as Error).message}`);
  }
  const maxTokens = integerOption('--max-tokens', v['max-tokens'], 2, 'an integer ≥ 2');
  const seed = integerOption('--seed', v.seed, 0, 'an integer ≥ 0');
  const evalWindows =
    v['eval-windows'] === undefined
      ? null
      : integerOption('--eval-windows', v['eval-windows'], 2, 'an integer ≥ 2 (tokens per window)');
  const { backend, precision } = engineChoice(v);
  const split = splitOf(v.split);
  const threshold = v.threshold === undefined ? undefined : Number(v.threshold);
  const named = namedAllocation(v.allocation);
  if (named && allocationKind(named).pattern)
    throw new UsageError(`--allocation ${named}: an N:M pattern, --pattern ${named}`);
  if (named && allocationKind(named).density && (!v['density-set'] || !(threshold! > 0)))
    throw new UsageError('--allocation density needs --density-set FILE and --threshold X > 0');
  const owl = { M: Number(v['owl-m']), lambda: Number(v['owl-lambda']) };
  if (named && allocationKind(named).outliers) {
    if (!v.calibration)
      throw new UsageError(
        '--allocation owl needs --calibration FILE (the outlier ratios of the dense model on it)',
      );
    try {
      checkOwl(sparsity, owl.M, owl.lambda);
    } catch (e) {
      throw new UsageError(`--sparsity/--owl-m/--owl-lambda: ${(e as Error).message}`);
    }
  }
  return {
    owl,
    evalWindows,
    ...v,
    method,
    sparsity,
    pattern,
    alpha,
    beta,
    maxTokens,
    seed,
    backend,
    precision,
    threshold,
    split,
  };
}

/**
 * `--pattern N:M` (2:4, 4:8): the n smallest of every m consecutive weights of a row, so S = n/m
 * in every layer — refused beside another allocation or a different --sparsity.
 */
function patternOf(
  text: string | undefined,
  sparsity: string | undefined,
  allocation: string | undefined,
): NmPattern | undefined {
  if (text === undefined) return undefined;
  const m = /^([1-7]):([2-8])$/.exec(text);
  if (!m || Number(m[1]) >= Number(m[2]))
    throw new UsageError(`--pattern ${text}: N:M with M in 2…8 and N < M, e.g. 2:4 or 4:8`);
  const p = { n: Number(m[1]), m: Number(m[2]) };
  const named = allocation === undefined ? null : namedAllocation(allocation);
  if (allocation !== undefined && !(named && allocationKind(named).baseline))
    throw new UsageError(
      `--pattern ${text} prunes ${p.n}/${p.m} of every layer: --allocation uniform only`,
    );
  if (sparsity !== undefined && Number(sparsity) !== p.n / p.m)
    throw new UsageError(
      `--pattern ${text} prunes ${p.n}/${p.m} of every row: --sparsity ${sparsity} disagrees`,
    );
  return p;
}

/**
 * S_i per layer and what they came from: the counts N_i (density) or the outlier ratios D_i
 * (OWL), else null.
 */
async function allocate(
  s: ReturnType<typeof settings>,
  engine: io.PruneEngine,
  tok: ReturnType<typeof tokenizerFromGguf>,
  L: number,
  calibration: number[][],
): Promise<{ counts: number[] | null; outlierRatios?: number[]; sparsity: number[] }> {
  const named = namedAllocation(s.allocation);
  const kind = named && allocationKind(named);
  if (kind?.baseline) return { counts: null, sparsity: new Array(L).fill(s.sparsity) };
  if (kind?.outliers) {
    const { M, lambda } = s.owl;
    const ratios = await engine.owlRatios(calibration, M);
    return {
      counts: null,
      outlierRatios: ratios,
      sparsity: owlSparsity(ratios, s.sparsity, lambda),
    };
  }
  if (kind?.density) {
    const path = await inputFile('--density-set', s['density-set']!);
    const samples = await sampleFile(path, tok, s.maxTokens, s.split);
    const counts = await engine.densityCounts(samples, s.threshold!, s.maxTokens);
    return { counts, sparsity: io.layerSparsity(counts, s.sparsity, s.alpha, s.beta) };
  }
  const path = await inputFile('--allocation', s.allocation!);
  return { counts: null, sparsity: await io.listSparsity(path, L) };
}

const sec = (a: number, b: number) => ((b - a) / 1000).toFixed(1);

export async function main(argv: string[]): Promise<number> {
  const v = options(argv);
  if (v.help) {
    console.log(USAGE);
    return 0;
  }
  const s = settings(v);
  await checkOutputs(
    [
      { flag: '--out', path: s.out },
      { flag: '--write-gguf', path: s['write-gguf'] },
    ],
    [
      { flag: '--model', path: s.model },
      { flag: '--eval', path: s.eval },
      { flag: '--calibration', path: s.calibration },
      { flag: '--density-set', path: s['density-set'] },
      {
        flag: '--allocation',
        path: namedAllocation(s.allocation) ? undefined : s.allocation,
      },
    ],
  );
  const { path: modelPath, file } = await modelArg(s.model);
  const config = llamaConfig(file);
  const tok = tokenizerFromGguf(file);
  const evalPath = await inputFile('--eval', s.eval!);
  const protocol: EvalProtocol = s.evalWindows
    ? { mode: 'windows', window: s.evalWindows }
    : { mode: 'samples' };
  const evalSamples =
    protocol.mode === 'windows'
      ? evalWindows(
          parseSamples(basename(evalPath), await readFile(evalPath), s.split),
          tok,
          protocol.window,
          config.contextLength,
        )
      : await sampleFile(evalPath, tok, s.maxTokens, s.split);
  const calibration = s.calibration
    ? await sampleFile(await inputFile('--calibration', s.calibration), tok, s.maxTokens, s.split)
    : [];
  const started = Date.now();
  const calTokens = calibration.map((x) => x.tokens);
  let t1 = started;
  // one engine for the allocation and the pruning (on the GPU: the model uploaded once)
  const { alloc, run } = await io.withPruneEngine(file, s.backend, s.precision, async (engine) => {
    const alloc = await allocate(s, engine, tok, config.blockCount, calTokens);
    t1 = Date.now();
    const req = {
      method: s.method,
      sparsity: alloc.sparsity,
      seed: s.seed,
      calibration: calTokens,
      ...(s.pattern ? { pattern: s.pattern } : {}),
    };
    return { alloc, run: await engine.prune(req, evalSamples) };
  });
  const allocation = namedAllocation(s.allocation) ?? 'list';
  const pattern = s.pattern ? `${s.pattern.n}:${s.pattern.m}` : null;
  const image = await io.prunedGguf(file, run.tensors, {
    method: s.method,
    sparsity: s.sparsity,
    allocation,
    layerSparsity: alloc.sparsity,
    pattern,
  });
  const [dense, pruned] = [run.dense, run.after];
  const outcome = run;
  const doc = {
    schema: PRUNE_SCHEMA,
    createdAt: new Date().toISOString(),
    model: { name: config.name, file: basename(modelPath), layers: config.blockCount },
    settings: {
      method: s.method,
      allocation,
      sparsity: s.sparsity,
      pattern,
      alpha: s.alpha,
      beta: s.beta,
      threshold: s.threshold ?? null,
      evalWindows: s.evalWindows,
      ...(alloc.outlierRatios ? { owlM: s.owl.M, owlLambda: s.owl.lambda } : {}),
      maxTokens: s.maxTokens,
      seed: s.seed,
      backend: s.backend,
      precision: s.precision,
    },
    allocation: {
      counts: alloc.counts,
      ...(alloc.outlierRatios ? { outlierRatios: alloc.outlierRatios } : {}),
      sparsity: alloc.sparsity,
    },
    pruned: outcome.pruned,
    perplexity: {
      dense: dense.ppl,
      pruned: pruned.ppl,
      tokens: dense.tokens,
      protocol: protocolLabel(protocol),
      sequences: evalSamples.length,
    },
    calibration: {
      samples: calibration.length,
      tokens: calibration.reduce((a, x) => a + x.tokens.length, 0),
    },
  };
  await writeOutput(s.out!, JSON.stringify(doc));
  if (s['write-gguf']) await writeOutput(s['write-gguf'], image);
  const reencoded = fileReencodedNote(file, config);
  if (reencoded) console.log(`This model: ${reencoded}.`);
  console.log(
    `${s.method} at ${pattern ?? s.sparsity} (${allocation}): perplexity ${dense.ppl.toFixed(3)} dense → ${pruned.ppl.toFixed(3)} pruned over ${dense.tokens} tokens (${protocolLabel(protocol)}); ${sec(started, t1)} s allocation, ${sec(t1, Date.now())} s pruning and perplexity (${s.backend}) → ${s.out}`,
  );
  return 0;
}

const isEntry = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isEntry)
  main(process.argv.slice(2)).then(process.exit, (e: Error) => process.exit(reportError(e, USAGE)));
