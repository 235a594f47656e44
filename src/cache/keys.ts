// Content keys for cached results: SHA-256 (Web Crypto, in browsers and Node) of what determines a
// result — the model's identity, the run settings and the exact token ids — never of names.
import type { RunSet, PairSpec } from '../engine/types';
import type { Results } from '../analysis/results';
import type { ByteSource } from '../gguf/source';

/** SHA-256 of text (UTF-8) or bytes, as lowercase hex. */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const d = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A model's identity: its file's size and a hash of its first MiB (header, metadata, tensors). */
export async function modelKey(file: Blob | ByteSource): Promise<string> {
  const head =
    file instanceof Blob
      ? new Uint8Array(await file.slice(0, 1 << 20).arrayBuffer())
      : new Uint8Array(await file.read(0, 1 << 20));
  return `${file.size}:${(await sha256Hex(head)).slice(0, 32)}`;
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

/** SHA-256 of a set's samples' token ids, in order (a scores file's token_ids_sha256). */
export function tokenIdsHash(set: RunSet): Promise<string> {
  return sha256Hex(set.samples.map((s) => s.tokens.join(',')).join(';'));
}

export function pairSignature(sigA: string, sigB: string, p: PairSpec): Promise<string> {
  return sha256Hex(`pair|${sigA}|${sigB}|${p.shift ?? 0}`);
}
