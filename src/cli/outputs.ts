// Output files of the command-line tools: checked before any work (never an input, never
// twice, in a folder that exists and can be written) and written whole or not at all (a
// temporary file in the same folder, renamed over the final name at the end).
import { access, constants, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from './common';

/**
 * A path's identity: device and inode when it exists (the same file by any name: symbolic or hard
 * links), else the absolute path of a file still to be written, its folder's links followed.
 */
async function identity(path: string): Promise<string> {
  try {
    const st = await stat(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    // a file still to be written: its folder's real path, if that exists
    try {
      return resolve(await realpath(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses, by flag and path, an output that is one of the inputs (the same file by any name), one
 * named twice, an existing folder, or one whose folder is missing or not writable.
 */
export async function checkOutputs(
  outputs: { flag: string; path: string | undefined }[],
  inputs: { flag: string; path: string | undefined }[],
): Promise<void> {
  const seen = new Map<string, string>();
  for (const i of inputs) if (i.path) seen.set(await identity(i.path), `the input ${i.flag}`);
  for (const o of outputs) {
    if (!o.path) continue;
    const id = await identity(o.path);
    const clash = seen.get(id);
    if (clash)
      throw new UsageError(
        `${o.flag} ${o.path} is ${clash}: an output never replaces an input or another output — name another file`,
      );
    seen.set(id, `the output ${o.flag}`);
    const st = await stat(o.path).catch(() => null);
    if (st?.isDirectory()) throw new UsageError(`${o.flag} ${o.path} is a folder: name a file`);
    const dir = dirname(resolve(o.path));
    const d = await stat(dir).catch(() => null);
    if (!d?.isDirectory())
      throw new UsageError(`${o.flag} ${o.path}: the folder ${dir} does not exist`);
    try {
      await access(dir, constants.W_OK);
    } catch {
      throw new UsageError(`${o.flag} ${o.path}: the folder ${dir} cannot be written`);
    }
  }
}

/** Writes `data` to `path` whole: into a temporary file beside it, then renamed over it. */
export async function writeOutput(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.partial`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
