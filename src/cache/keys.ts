// Content keys for cached results: SHA-256 (Web Crypto, in browsers and Node) of what determines a
// result — the model's identity, the run settings and the exact token ids — never of names.
import type { RunSet, PairSpec } from '../engine/types';
import type { Results } from '../analysis/results';

export async function sha256Hex(text: string): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A model's identity: its file's size and a hash of its first MiB (header, metadata, tensors). */
export async function modelKey(blob: Blob): Promise<string> {
  const head = new Uint8Array(await blob.slice(0, 1 << 20).arrayBuffer());
  const d = await crypto.subtle.digest('SHA-256', head);
  const hex = [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${blob.size}:${hex.slice(0, 32)}`;
}

export function settingsKey(s: Results['settings']): string {
  return JSON.stringify({ metric: s.metric, maxTokens: s.maxTokens, thresholds: s.thresholds });
}

/** A set's signature: model, settings and the ordered token ids of its samples. */
export function setSignature(model: string, settings: string, set: RunSet): Promise<string> {
  return sha256Hex(
    `set|${model}|${settings}|${set.samples.map((s) => s.tokens.join(',')).join(';')}`,
  );
}

export function pairSignature(sigA: string, sigB: string, p: PairSpec): Promise<string> {
  return sha256Hex(`pair|${sigA}|${sigB}|${p.shift ?? 0}`);
}
