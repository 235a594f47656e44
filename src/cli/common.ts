// What the command-line tools share: argument errors, input files, running a request on either
// backend with progress on stderr, and the exit on an error.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readGguf, type GgufFile } from '../gguf/reader';
import { fileSource } from './file-source';
import { llamaConfig } from '../model/read-config';
import { loadLlamaWeights } from '../model/weights';
import { runReference } from '../engine/run-reference';
import { checkRunOutput } from '../engine/check';
import type { Progress, RunOptions, RunOutput, RunRequest } from '../engine/types';
import type { Precision } from '../gpu/runtime/context';
import type { Results } from '../analysis/results';
import { oneLine, quoted } from '../util/message';
import { parseSamples, sampleTokens, TXT_SPLITS, type TxtSplit } from '../samples/load';
import type { Tokenizer } from '../tokenizer/index';
import type { GpuContext } from '../gpu/runtime/context';

/** A wrong argument: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** node's strict parseArgs; its own errors (several lines) as a one-line UsageError. */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
) {
  try {
    return parseArgs({ args: argv, options, strict: true }).values;
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message));
  }
}

/** --precision: f32, f16, or auto (the fastest path the adapter has: src/gpu/runtime/fastest.ts). */
export type PrecisionChoice = Precision | 'auto';

/** --backend and --precision, each refused by name; f16 is a GPU path. */
export function engineChoice(v: { backend?: string; precision?: string }): {
  backend: 'reference' | 'gpu';
  precision: PrecisionChoice;
} {
  const backend = v.backend as 'reference' | 'gpu';
  if (backend !== 'reference' && backend !== 'gpu')
    throw new UsageError(`--backend ${v.backend}: reference or gpu`);
  const precision = v.precision as PrecisionChoice;
  if (precision !== 'f32' && precision !== 'f16' && precision !== 'auto')
    throw new UsageError(`--precision ${v.precision}: f32, f16 or auto`);
  if (precision === 'f16' && backend !== 'gpu')
    throw new UsageError('--precision f16 is a GPU path: use it with --backend gpu');
  return { backend, precision };
}

/** An integer option ≥ min; else `${flag} ${raw}: ${what}`. */
export function integerOption(flag: string, raw: string | undefined, min: number, what: string) {
  const x = Number(raw);
  if (!Number.isInteger(x) || x < min) throw new UsageError(`${flag} ${raw}: ${what}`);
  return x;
}

/** --split, refused by name. */
export function splitOf(v: string | undefined): TxtSplit {
  const s = TXT_SPLITS.find((x) => x.id === v);
  if (!s) throw new UsageError(`--split ${v}: ${TXT_SPLITS.map((x) => x.id).join(', ')}`);
  return s.id;
}

/** A sample file's samples as token ids (texts tokenized, BOS first, at most maxTokens). */
export async function sampleFile(
  path: string,
  tok: Tokenizer,
  maxTokens: number,
  split: TxtSplit = 'auto',
): Promise<{ source: string; tokens: number[] }[]> {
  const samples = parseSamples(basename(path), new Uint8Array(await readFile(path)), split);
  return samples.map((s) => ({ source: s.source, tokens: sampleTokens(s, tok, maxTokens) }));
}

/** The GGUF named by `--model PATH`, opened (header, metadata, tensor index; data read lazily). */
export async function modelArg(
  path: string | undefined,
): Promise<{ path: string; file: GgufFile }> {
  const p = await inputFile('--model', path ?? '');
  return { path: p, file: await readGguf(fileSource(p)) };
}

/** `path` when it names a readable file; else a UsageError naming the flag, the path and why. */
export async function inputFile(flag: string, path: string): Promise<string> {
  const what = `${flag}${flag.endsWith('=') ? '' : ' '}${quoted(path, 120)}`;
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : String(code ?? e);
    throw new UsageError(`${what}: ${why}`);
  }
  if (st.isDirectory()) throw new UsageError(`${what}: is a directory, not a file`);
  if (!st.isFile()) throw new UsageError(`${what}: not a regular file`);
  return path;
}

/** Progress on one stderr line (when it is a terminal). */
export function onProgress(p: Progress): void {
  if (!process.stderr.isTTY) return;
  const where = p.layer !== undefined ? `layer ${p.layer} ` : '';
  const eta = p.etaSeconds !== undefined ? `, ${p.etaSeconds.toFixed(0)} s left` : '';
  process.stderr.write(
    `\r${p.stage} ${where}${p.set ?? ''} (${Math.round(p.fraction * 100)}%${eta})     `,
  );
}

/** Runs `req` on the reference backend or this machine's GPU (Dawn); what ran it, for results. */
export async function runOn(
  file: GgufFile,
  req: RunRequest,
  backend: 'reference' | 'gpu',
  precision: PrecisionChoice,
  onScores?: RunOptions['onScores'],
): Promise<{ out: RunOutput; engine: Results['engine'] }> {
  if (backend === 'reference') {
    const out = await runReference(await loadLlamaWeights(file), req, { onProgress, onScores });
    checkRunOutput(out, llamaConfig(file), req.metric);
    return { out, engine: { backend: 'reference', precision: 'f32' } };
  }
  const { runGpu } = await import('../engine/run-gpu');
  return withNodeGpu(precision, async (ctx, adapter, used) => {
    const { uploadLlama } = await import('../gpu/model');
    const model = await uploadLlama(ctx, file);
    try {
      const out = await runGpu(ctx, model, req, { onProgress, onScores });
      return { out, engine: { backend: 'gpu' as const, precision: used, adapter } };
    } finally {
      model.destroy();
    }
  });
}

/**
 * `body` with a GPU context on this machine's adapter (Dawn) at `precision` (auto: the fastest
 * path it has), named on stderr with the reason for an auto pick; the device is destroyed after.
 */
export async function withNodeGpu<T>(
  precision: PrecisionChoice,
  body: (ctx: GpuContext, adapter: string, precision: Precision) => Promise<T>,
): Promise<T> {
  const [{ openNodeGpu }, { GpuContext, optionsFor, precisionLabel }, { fastestPath }] =
    await Promise.all([
      import('../gpu/runtime/node'),
      import('../gpu/runtime/context'),
      import('../gpu/runtime/fastest'),
    ]);
  const { gpu, software } = await openNodeGpu();
  const s = gpu.summary;
  const adapter = [s.vendor, s.architecture, s.device, s.description].filter(Boolean).join(' / ');
  try {
    const pick = precision === 'auto' ? fastestPath(s.features) : null;
    const used = pick?.precision ?? (precision as Precision);
    const options = optionsFor(gpu.summary, used);
    console.error(
      `adapter: ${adapter}${software ? ' (software)' : ''}; precision ${precisionLabel(options)}${pick ? ` (auto: ${pick.why})` : ''}`,
    );
    return await body(new GpuContext(gpu.device, options), adapter, used);
  } finally {
    gpu.device.destroy();
  }
}

/** Prints an error (a UsageError with the usage) on stderr; the exit code: 2 usage, 1 other. */
export function reportError(e: Error, usage: string): number {
  console.error(
    e instanceof UsageError ? `${oneLine(e.message)}\n${usage}` : `error: ${oneLine(e.message)}`,
  );
  return e instanceof UsageError ? 2 : 1;
}
