// The two perplexity protocols of the pruning lab and `npm run prune` (docs/METHOD.md §4):
//   samples — each eval sample its own sequence, BOS first, cut at the run's token limit (the
//             paper's own sets);
//   windows — as Wanda's and SparseGPT's WikiText evaluation: the eval texts joined by "\n\n",
//             tokenized once with BOS at the very start only, cut into ⌊n / W⌋ non-overlapping
//             windows of W tokens (the rest dropped), each window one sequence; samples given as
//             token ids are joined as they are.
// Every window predicts W − 1 tokens, so PPL = exp(mean −log p) is the reference's
// exp(Σ_windows mean-loss · W / (windows · W)).
import type { Sample } from '../samples/load';
import type { Tokenizer } from '../tokenizer/index';
import { RunRefusedError } from './memory';
import type { PerplexitySample } from './perplexity';

export type EvalProtocol = { mode: 'samples' } | { mode: 'windows'; window: number };

/** The reference implementations' window (Wanda, SparseGPT: 2048 tokens), or the context if shorter. */
export const DEFAULT_WINDOW = 2048;
export const defaultWindow = (context: number): number => Math.min(DEFAULT_WINDOW, context);

/** Most characters joined for windows (WikiText-2's test split is 1.3 MB; C4's validation shard 40 MB). */
export const MAX_WINDOW_TEXT = 64 << 20;

/** A window length the model takes: an integer in [2, context], else named. */
export function checkWindow(window: number, context: number): void {
  if (!(Number.isInteger(window) && window >= 2 && window <= context))
    throw new RunRefusedError(
      `a perplexity window of ${window} tokens: needs an integer from 2 to the model's context ${context}`,
    );
}

/** The eval samples' text (or ids) joined and cut into windows of `window` tokens. */
export function evalWindows(
  samples: Sample[],
  tok: Tokenizer,
  window: number,
  context: number,
): PerplexitySample[] {
  checkWindow(window, context);
  const ids: number[] = [];
  if (samples.every((s) => s.tokens)) for (const s of samples) ids.push(...s.tokens!);
  else {
    if (samples.some((s) => s.tokens))
      throw new RunRefusedError('windows join texts or token ids, not both in one set');
    const text = samples.map((s) => s.text ?? '').join('\n\n');
    if (text.length > MAX_WINDOW_TEXT)
      throw new RunRefusedError(
        `the eval texts have ${text.length} characters joined: windows take at most ${MAX_WINDOW_TEXT}`,
      );
    if (tok.addBos) ids.push(tok.bosId);
    ids.push(...tok.encode(text));
  }
  const n = Math.floor(ids.length / window);
  if (n === 0)
    throw new RunRefusedError(
      `the eval set has ${ids.length} tokens joined: fewer than one window of ${window}`,
    );
  return Array.from({ length: n }, (_, k) => ({
    source: `window ${k + 1}/${n}`,
    tokens: ids.slice(k * window, (k + 1) * window),
  }));
}

/** The protocol as prune.json and the GGUF metadata record it. */
export const protocolLabel = (p: EvalProtocol): string =>
  p.mode === 'samples' ? 'samples' : `windows of ${p.window}`;
