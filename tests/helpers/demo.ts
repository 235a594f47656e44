// The shipped demo model (models/demo) and its golden PyTorch scores.
import { mkdtempSync, openAsBlob, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGguf, type GgufFile } from '../../src/gguf/reader';
import { blobSource } from '../../src/gguf/source';
import { MATRICES } from '../../src/model/config';
import type { SampleResult } from '../../src/analysis/results';

export const DEMO_GGUF = 'models/demo/paramscope-demo.gguf';

export interface GoldenSample {
  domain: string;
  text: string;
  tokens: number[];
  argmax: number;
  maxLogit: number;
  sumA: number[][];
  sumA2: number[][];
  maxA: number[][];
}

export interface Golden {
  samples: GoldenSample[];
  tokenizer: Record<string, number[][]>;
}

export const golden = JSON.parse(readFileSync('models/demo/golden.json', 'utf8')) as Golden;

export async function demoFile(): Promise<GgufFile> {
  return readGguf(blobSource(await openAsBlob(DEMO_GGUF), 'paramscope-demo.gguf'));
}

/** The trainer's f64 PyTorch autograd scores match ours to 1e-3 relative (issue 5). */
export const GOLDEN_REL = 1e-3;

/** Flat [sumA, sumA2, maxA] of a result and of the golden sample, in the same order. */
export function goldenPairs(r: SampleResult, g: GoldenSample): { got: number[]; want: number[] } {
  const got: number[] = [];
  const want: number[] = [];
  for (const k of ['sumA', 'sumA2', 'maxA'] as const) {
    for (let l = 0; l < g[k].length; l++) {
      for (let m = 0; m < MATRICES.length; m++) {
        got.push(r[k][l][m]);
        want.push(g[k][l][m]);
      }
    }
  }
  return { got, want };
}

/**
 * The first `n` samples of each shipped example set in `domains`, written as `<domain>.jsonl` in a
 * new temporary folder (name, path and bytes, for dropping on the page and for the CLIs).
 */
export function exampleSetFiles(prefix: string, domains: string[], n = 2) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files = domains.map((d) => {
    const lines = readFileSync(`public/examples/${d}.jsonl`, 'utf8').split('\n').slice(0, n);
    const path = join(dir, `${d}.jsonl`);
    writeFileSync(path, lines.join('\n') + '\n');
    return { name: `${d}.jsonl`, path, bytes: readFileSync(path) };
  });
  return { dir, files };
}
