// Peak memory while the page benchmark runs (bench/page/page-bench.ts), sampled every 500 ms: the
// resident memory of Chromium's renderer and GPU processes (Linux /proc, by their --type= flag) and
// the GPU's memory in use (nvidia-smi, where there is one).
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface MemoryPeaks {
  /** MiB, summed over the processes of each type, at the sample where the sum was highest */
  rendererMiB: number;
  gpuProcessMiB: number;
  browserMiB: number;
  /** nvidia-smi memory.used, MiB (null: no nvidia-smi) */
  gpuUsedMiB: number | null;
  samples: number;
}

function chromiumRss(): { renderer: number; gpu: number; browser: number } {
  const sum = { renderer: 0, gpu: 0, browser: 0 };
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(cmd.split('\0')[0] ?? '')) continue;
      const rss =
        Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) /
        1024;
      if (cmd.includes('--type=renderer')) sum.renderer += rss;
      else if (cmd.includes('--type=gpu-process')) sum.gpu += rss;
      else if (!cmd.includes('--type=')) sum.browser += rss;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return sum;
}

/** nvidia-smi's memory.used (MiB), read without blocking the driver's event loop; null: none. */
function gpuUsed(): Promise<number | null> {
  return new Promise((ok) =>
    execFile(
      'nvidia-smi',
      ['--query-gpu=memory.used', '--format=csv,noheader,nounits'],
      { encoding: 'utf8', timeout: 5000 },
      (e, out) => ok(e ? null : Number(out.trim().split('\n')[0])),
    ),
  );
}

export function startMonitor(): { stop: () => Promise<MemoryPeaks> } {
  const peaks: MemoryPeaks = {
    rendererMiB: 0,
    gpuProcessMiB: 0,
    browserMiB: 0,
    gpuUsedMiB: null,
    samples: 0,
  };
  let sampling: Promise<void> = Promise.resolve();
  const sample = async () => {
    const r = chromiumRss();
    peaks.rendererMiB = Math.max(peaks.rendererMiB, Math.round(r.renderer));
    peaks.gpuProcessMiB = Math.max(peaks.gpuProcessMiB, Math.round(r.gpu));
    peaks.browserMiB = Math.max(peaks.browserMiB, Math.round(r.browser));
    const g = await gpuUsed();
    if (g !== null) peaks.gpuUsedMiB = Math.max(peaks.gpuUsedMiB ?? 0, g);
    peaks.samples++;
  };
  // one sample at a time: the next waits for the last (nvidia-smi can take longer than 500 ms)
  const timer = setInterval(() => (sampling = sampling.then(sample)), 500);
  return {
    stop: async () => {
      clearInterval(timer);
      await (sampling = sampling.then(sample));
      return peaks;
    },
  };
}
