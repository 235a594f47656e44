// `--scores-out DIR` of npm run analyze: one safetensors file of per-weight scores per set
// (src/scores), each written under a temporary name beside its final one and renamed at the end.
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { PositionedFile } from '../scores/writer';
import { UsageError } from './common';
import { scoresFileName } from '../scores/file-name';

export { scoresFileName } from '../scores/file-name';

/** The files of `sets` in `dir` (created if missing, its parent must exist); refuses a clash. */
export async function scoresPaths(dir: string, sets: string[]): Promise<string[]> {
  const st = await stat(dir).catch(() => null);
  if (st && !st.isDirectory()) throw new UsageError(`--scores-out ${dir} is a file: name a folder`);
  if (!st)
    await mkdir(dir).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--scores-out ${dir}: the folder cannot be created (${e.code})`);
    });
  const names = new Map<string, string>();
  return sets.map((s) => {
    const f = scoresFileName(s);
    const other = names.get(f.toLowerCase());
    if (other !== undefined)
      throw new UsageError(
        `--scores-out: sets ${JSON.stringify(other)} and ${JSON.stringify(s)} would both be written to ${f}: rename one`,
      );
    names.set(f.toLowerCase(), s);
    return join(dir, f);
  });
}

/**
 * A file written at positions under `path`.partial-PID, renamed to `path` by finish. `openFile`:
 * fs.promises.open (a test passes one whose writes fail, as a full disk's do).
 */
export async function positionedFile(
  path: string,
  openFile: (p: string, flags: string) => Promise<FileHandle> = open,
): Promise<PositionedFile> {
  const tmp = `${path}.partial-${process.pid}`;
  const fh: FileHandle = await openFile(tmp, 'w');
  let closed = false;
  const close = async () => {
    if (!closed) await fh.close();
    closed = true;
  };
  return {
    async write(position, data) {
      try {
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
          off += bytesWritten;
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(
          `writing scores to ${path}: ${code === 'ENOSPC' ? 'the disk is full' : (e as Error).message}`,
        );
      }
    },
    async finish() {
      await close();
      await rename(tmp, path);
    },
    async abort() {
      await close().catch(() => {});
      await unlink(tmp).catch(() => {});
    },
  };
}
