// What a run asks for and how it reports, shared by the reference and the GPU backends.
import type { Metric } from '../analysis/metrics';

export interface RunSet {
  name: string;
  samples: { source: string; tokens: number[] }[];
}

export interface RunRequest {
  sets: RunSet[];
  /** index pairing: sample i of set a with sample i of set b (the paper's Fig. 3) */
  pairs: { a: string; b: string }[];
  thresholds: number[];
  metric: Metric;
  maxTokens: number;
}

export interface Progress {
  stage: 'forward' | 'layer' | 'sample' | 'density' | 'pairs' | 'done';
  set?: string;
  sample?: number;
  samples?: number;
  /** 0-based layer (the GPU backend walks layers from last to first) */
  layer?: number;
  /** 0..1 over the whole run */
  fraction: number;
  /** seconds left, estimated from the pace so far */
  etaSeconds?: number;
}

export interface RunOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Checks a request's pairs name existing sets; returns the pairing length of each pair. */
export function checkPairs(req: RunRequest): number[] {
  const byName = new Map(req.sets.map((s) => [s.name, s]));
  return req.pairs.map(({ a, b }) => {
    const sa = byName.get(a);
    const sb = byName.get(b);
    if (!sa || !sb)
      throw new Error(
        `pair ${a}:${b} names a set that is not in the run (sets: ${[...byName.keys()].join(', ')})`,
      );
    return Math.min(sa.samples.length, sb.samples.length);
  });
}
