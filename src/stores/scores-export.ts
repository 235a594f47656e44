// "Export scores" of a set, from the page: the set walked again on the GPU with every matrix's
// per-weight Σ A streamed into a safetensors file (src/scores, docs/scores-format.md) — through
// the File System Access API where the browser has it (Chrome, Edge: a save dialog, the file
// written in place and committed only when complete), else as a download for models under 1 GB
// (the file built in memory), else refused with why.
import { runGpu } from '../engine/run-gpu';
import { tokenIdsHash } from '../cache/keys';
import { scoresHeader, TOOL } from '../scores/layout';
import { ScoresWriter, type PositionedFile } from '../scores/writer';
import { download } from '../util/download';
import { formatBytes } from '../util/format';
import { NAME_SHOWN, oneLine, quoted } from '../util/message';
import { gpuState } from './gpu.svelte';
import { ensureGpuModel, runContext } from './model';
import { cancellableSignal, runSet } from './run';
import { notify, session } from './session.svelte';
import { scoresFileName } from '../scores/file-name';

/** The largest scores file the page builds in memory to download (without File System Access). */
export const DOWNLOAD_LIMIT = 2 ** 30;

type SaveFilePicker = (o: {
  suggestedName: string;
  types: { description: string; accept: Record<string, string[]> }[];
}) => Promise<{ createWritable(): Promise<FileSystemWritableFileStream> }>;

/** Where the file goes: a file the person picks (streamed), or memory then a download. */
async function target(name: string, bytes: number): Promise<PositionedFile | null> {
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (picker) {
    let handle;
    try {
      handle = await picker({
        suggestedName: name,
        types: [
          { description: 'safetensors', accept: { 'application/octet-stream': ['.safetensors'] } },
        ],
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return null; // the person closed the dialog
      throw e;
    }
    const w = await handle.createWritable();
    return {
      write: (position, data) => w.write({ type: 'write', position, data: data as BufferSource }),
      finish: () => w.close(),
      abort: () => w.abort(),
    };
  }
  if (bytes > DOWNLOAD_LIMIT)
    throw new Error(
      `the scores file takes ${formatBytes(bytes)}: this browser has no File System Access (Chrome and Edge have it), and a download is built in memory only up to ${formatBytes(DOWNLOAD_LIMIT)}`,
    );
  const buf = new Uint8Array(bytes);
  return {
    write: async (position, data) => buf.set(data, position),
    finish: async () => download(name, new Blob([buf]), 'application/octet-stream'),
    abort: async () => {},
  };
}

/** Exports set `name`'s per-weight scores; says what it wrote or why not. */
export async function exportSetScores(name: string): Promise<void> {
  const m = session.model;
  const g = gpuState.current;
  const set = session.sets.find((s) => s.name === name);
  if (g.status !== 'ready' || !m || !set || session.running || session.labRunning) return;
  const run = runSet(set);
  if (!run.samples.length)
    return notify(`Set ${quoted(name, NAME_SHOWN)} has no samples to score.`, { error: true });
  const meta = {
    set: name,
    model: m.name,
    modelKey: m.key,
    metric: session.metric,
    samples: run.samples.length,
    maxTokens: session.maxTokens,
    tokenIds: await tokenIdsHash(run),
    tool: TOOL,
  };
  const { header } = scoresHeader(m.config, meta);
  const bytes = header.dataStart + header.dataBytes;
  const fileName = scoresFileName(name);
  let file: PositionedFile | null;
  try {
    file = await target(fileName, bytes);
  } catch (e) {
    return notify(
      `Export scores of ${quoted(name, NAME_SHOWN)}: ${oneLine((e as Error).message)}`,
      {
        error: true,
      },
    );
  }
  if (!file) return;
  // the walk's progress shows on the run's line; the last run's line comes back after
  const before = session.progress;
  session.running = true;
  session.progress = null;
  const signal = cancellableSignal();
  let writer: ScoresWriter | undefined;
  try {
    writer = await ScoresWriter.open(m.config, meta, file);
    const gm = await ensureGpuModel();
    const req = {
      sets: [run],
      pairs: [],
      thresholds: [session.threshold],
      metric: session.metric,
      maxTokens: session.maxTokens,
    };
    await runGpu(runContext(gm.ctx, session.precision), gm.model, req, {
      signal,
      onProgress: (p) => (session.progress = p),
      onScores: (_si, l, mat, sums) => writer!.put(l, mat, sums),
    });
    await writer.finish();
    notify(
      `Exported the scores of ${quoted(name, NAME_SHOWN)} (${run.samples.length} samples, ${formatBytes(bytes)}) as ${fileName}: every weight's sum of A over the samples (mean = sum / samples).`,
    );
  } catch (e) {
    await (writer ?? file).abort().catch(() => undefined);
    if ((e as Error).name === 'AbortError')
      return notify(`Export scores of ${quoted(name, NAME_SHOWN)} cancelled: nothing was written.`);
    notify(
      `Export scores of ${quoted(name, NAME_SHOWN)} failed, nothing was written: ${oneLine((e as Error).message)}`,
      {
        error: true,
      },
    );
  } finally {
    session.running = false;
    session.progress = before;
  }
}
