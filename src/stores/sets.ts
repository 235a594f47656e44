// Sample-set actions: add from files or pasted text, the example sets, rename, colour, remove.
import { parseSamples, tokensOf, TOKENIZE_AT_LEAST, type Sample } from '../samples/load';
import { EXAMPLE_SETS, nextColor, session } from './session.svelte';

function uniqueName(base: string): string {
  let unique = base || 'set';
  for (let i = 2; session.sets.some((s) => s.name === unique); i++) unique = `${base}-${i}`;
  return unique;
}

/** Adds a new set, or appends to set `into`, from sample files; errors name the file. */
export async function addSetFromFiles(
  name: string,
  files: { name: string; bytes: Uint8Array }[],
  into?: string,
): Promise<void> {
  session.setsError = '';
  try {
    const samples = files.flatMap((f) => parseSamples(f.name, f.bytes, 'paragraphs'));
    if (samples.length === 0) throw new Error(`${files.map((f) => f.name).join(', ')}: no samples`);
    if (into && session.sets.some((s) => s.name === into)) {
      session.sets = session.sets.map((s) =>
        s.name === into ? { ...s, samples: [...s.samples, ...samples] } : s,
      );
      return;
    }
    const base = name || files[0]?.name.replace(/\.[^.]+$/, '') || 'set';
    session.sets = [...session.sets, { name: uniqueName(base), color: nextColor(), samples }];
  } catch (e) {
    session.setsError = (e as Error).message;
  }
}

/** Pasted text: one sample per paragraph (blank-line separated). */
export function addPastedText(setName: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  void addSetFromFiles(setName, [{ name: 'pasted.txt', bytes }], setName);
}

export async function loadExampleSets(): Promise<void> {
  for (const d of EXAMPLE_SETS) {
    if (session.sets.some((s) => s.name === d)) continue;
    const res = await fetch(`./examples/${d}.jsonl`);
    await addSetFromFiles(d, [
      { name: `${d}.jsonl`, bytes: new Uint8Array(await res.arrayBuffer()) },
    ]);
  }
}

export function removeSet(name: string): void {
  session.sets = session.sets.filter((s) => s.name !== name);
}

export function renameSet(from: string, to: string): string {
  const name = to.trim();
  if (!name || name === from) return from;
  if (session.sets.some((s) => s.name === name)) {
    session.setsError = `A set named “${name}” exists already.`;
    return from;
  }
  session.setsError = '';
  session.sets = session.sets.map((s) => (s.name === from ? { ...s, name } : s));
  session.skipped = session.skipped.map((n) => (n === from ? name : n));
  if (session.pairA === from) session.pairA = name;
  if (session.pairB === from) session.pairB = name;
  return name;
}

export function recolorSet(name: string, color: string): void {
  session.sets = session.sets.map((s) => (s.name === name ? { ...s, color } : s));
}

export function removeSample(set: string, index: number): void {
  session.sets = session.sets.map((s) =>
    s.name === set ? { ...s, samples: s.samples.filter((_, i) => i !== index) } : s,
  );
}

function tokensUpTo(s: Sample, max: number): number {
  const m = session.model;
  if (!m) return 0;
  try {
    return tokensOf(s, m.tokenizer, max).length;
  } catch {
    return 0;
  }
}

/** Tokens a run takes of a sample (after truncation at max tokens); 0 without a model. */
export const tokenCount = (s: Sample) => tokensUpTo(s, session.maxTokens);

/** The most tokens the sample list counts of a sample (a 20 MB text costs its first ~65 k characters). */
export const PREVIEW_TOKENS = TOKENIZE_AT_LEAST;

/** Tokens before truncation, up to PREVIEW_TOKENS (to show what max tokens cuts off). */
export const fullTokenCount = (s: Sample) => tokensUpTo(s, PREVIEW_TOKENS);

/** Samples the open sample list shows at most (the rest are counted, not drawn). */
export const LISTED_SAMPLES = 200;
