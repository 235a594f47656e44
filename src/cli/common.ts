// What the command-line tools share: argument errors, input files, running a request on either
// backend with progress on stderr, and the exit on an error.
import { stat } from 'node:fs/promises';
import type { GgufFile } from '../gguf/reader';
import { llamaConfig } from '../model/config';
import { loadLlamaWeights } from '../model/weights';
import { runReference } from '../engine/run-reference';
import { checkRunOutput } from '../engine/check';
import type { Precision, Progress, RunOutput, RunRequest } from '../engine/types';
import type { Results } from '../analysis/results';
import { oneLine, quoted } from '../util/message';

/** A wrong argument: printed with the usage, exit code 2. */
export class UsageError extends Error {}

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
function onProgress(p: Progress): void {
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
  precision: Precision,
): Promise<{ out: RunOutput; engine: Results['engine'] }> {
  if (backend === 'reference') {
    const out = await runReference(await loadLlamaWeights(file), req, { onProgress });
    checkRunOutput(out, llamaConfig(file), req.metric);
    return { out, engine: { backend: 'reference', precision: 'f32' } };
  }
  const [{ openNodeGpu }, { GpuContext, optionsFor, precisionLabel }, { uploadLlama }, { runGpu }] =
    await Promise.all([
      import('../gpu/node'),
      import('../gpu/context'),
      import('../gpu/model'),
      import('../engine/run-gpu'),
    ]);
  const { gpu, software } = await openNodeGpu();
  const s = gpu.summary;
  const adapter = [s.vendor, s.architecture, s.device, s.description].filter(Boolean).join(' / ');
  let options;
  try {
    options = optionsFor(gpu.summary, precision);
  } catch (e) {
    gpu.device.destroy();
    throw e;
  }
  console.error(
    `adapter: ${adapter}${software ? ' (software)' : ''}; precision ${precisionLabel(options)}`,
  );
  const ctx = new GpuContext(gpu.device, options);
  const model = await uploadLlama(ctx, file);
  try {
    const out = await runGpu(ctx, model, req, { onProgress });
    return { out, engine: { backend: 'gpu', precision, adapter } };
  } finally {
    model.destroy();
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
