// The GPU memory this process really uses, as the NVIDIA driver reports it: nvidia-smi polled
// while a benchmark row runs (none where there is no nvidia-smi: the reading stays null).
import { execFile } from 'node:child_process';

/** This process's GPU memory now, in bytes (null: no nvidia-smi or no reading). */
export const gpuMemoryNow = (): Promise<number | null> =>
  new Promise((resolve) =>
    execFile(
      'nvidia-smi',
      ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'],
      { timeout: 5000 },
      (err, out) => {
        if (err) return resolve(null);
        const mine = out
          .trim()
          .split('\n')
          .map((line) => line.split(',').map((x) => x.trim()))
          .filter(([pid]) => Number(pid) === process.pid);
        resolve(mine.length ? Math.max(...mine.map(([, mib]) => Number(mib))) * 2 ** 20 : null);
      },
    ),
  );

/**
 * Runs `body` while polling every `ms`; returns its result, the reading before it started
 * (memory the process still held) and the peak seen (null: no reading).
 */
export async function withGpuMemoryPeak<T>(
  body: () => Promise<T>,
  ms = 200,
): Promise<{ result: T; startBytes: number | null; peakBytes: number | null }> {
  const startBytes = await gpuMemoryNow();
  let peak: number | null = null;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      const b = await gpuMemoryNow();
      if (b !== null) peak = Math.max(peak ?? 0, b);
      if (!stop) await new Promise((r) => setTimeout(r, ms));
    }
  })();
  try {
    const result = await body();
    return { result, startBytes, peakBytes: peak };
  } finally {
    stop = true;
    await poll;
  }
}
