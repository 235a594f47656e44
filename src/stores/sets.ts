// Sample-set actions: add from files or pasted text, the example sets, rename, colour, remove.
import { shortName } from '../util/message';
import {
  checkSetSize,
  parseSamples,
  tokensOf,
  TOKENIZE_AT_LEAST,
  type Sample,
  type TxtSplit,
} from '../samples/load';
import { EXAMPLE_SETS, nextColor, notify, session } from './session.svelte';

function uniqueName(base: string): string {
  let unique = base || 'set';
  for (let i = 2; session.sets.some((s) => s.name === unique); i++) unique = `${base}-${i}`;
  return unique;
}

/**
 * Appends the files' samples to set `into`, or else makes one new set per file, named after it
 * (`name` when there is one file); nothing is added when any file is refused, and the error names it.
 */
export async function addSetFromFiles(
  name: string,
  files: { name: string; bytes: Uint8Array }[],
  into?: string,
  split: TxtSplit = session.txtSplit,
): Promise<void> {
  session.setsError = '';
  try {
    const parsed = files.map((f) => {
      const samples = parseSamples(f.name, f.bytes, split);
      if (samples.length === 0) throw new Error(`${f.name}: no samples`);
      return { file: f.name, samples };
    });
    if (parsed.length === 0) throw new Error('no files');
    if (into && session.sets.some((s) => s.name === into)) {
      const samples = parsed.flatMap((p) => p.samples);
      const had = session.sets.find((s) => s.name === into)!.samples.length;
      checkSetSize(
        `set "${into}" with ${parsed.map((p) => p.file).join(', ')}`,
        had + samples.length,
      );
      session.sets = session.sets.map((s) =>
        s.name === into ? { ...s, samples: [...s.samples, ...samples] } : s,
      );
      return;
    }
    for (const p of parsed) {
      const base = (parsed.length === 1 && name) || p.file.replace(/\.[^.]+$/, '') || 'set';
      session.sets = [
        ...session.sets,
        { name: uniqueName(base), color: nextColor(), samples: p.samples },
      ];
    }
  } catch (e) {
    session.setsError = (e as Error).message;
  }
}

/** Pasted text: one sample per paragraph (blank-line separated). */
export function addPastedText(setName: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  void addSetFromFiles(setName, [{ name: 'pasted.txt', bytes }], setName, 'paragraphs');
}

export async function loadExampleSets(names: readonly string[] = EXAMPLE_SETS): Promise<void> {
  for (const d of names) {
    if (session.sets.some((s) => s.name === d)) continue;
    const res = await fetch(`./examples/${d}.jsonl`);
    await addSetFromFiles(d, [
      { name: `${d}.jsonl`, bytes: new Uint8Array(await res.arrayBuffer()) },
    ]);
  }
}

/** Removes a set; the notice offers Undo (the set back at its place, unless its name is taken). */
export function removeSet(name: string): void {
  const at = session.sets.findIndex((s) => s.name === name);
  if (at < 0) return;
  const set = session.sets[at];
  session.sets = session.sets.filter((s) => s.name !== name);
  notify(`Removed set “${shortName(name)}” (${set.samples.length} samples).`, {
    undo: () => {
      if (session.sets.some((s) => s.name === name))
        return notify(
          `A set named “${shortName(name)}” exists again: the removed one was not restored.`,
          {
            error: true,
          },
        );
      const sets = [...session.sets];
      sets.splice(Math.min(at, sets.length), 0, set);
      session.sets = sets;
      notify(`Restored set “${shortName(name)}”.`);
    },
  });
}

export function renameSet(from: string, to: string): string {
  const name = to.trim();
  if (!name || name === from) return from;
  if (session.sets.some((s) => s.name === name)) {
    session.setsError = `A set named “${shortName(name)}” exists already.`;
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

/** Removes one sample; the notice offers Undo (the sample back at its place in its set). */
export function removeSample(set: string, index: number): void {
  const sample = session.sets.find((s) => s.name === set)?.samples[index];
  if (!sample) return;
  const edit = (f: (x: Sample[]) => Sample[]) =>
    (session.sets = session.sets.map((s) =>
      s.name === set ? { ...s, samples: f(s.samples) } : s,
    ));
  edit((x) => x.filter((_, i) => i !== index));
  notify(`Removed sample ${index + 1} of “${shortName(set)}”.`, {
    undo: () => {
      edit((x) => [...x.slice(0, index), sample, ...x.slice(index)]);
      notify(`Restored sample ${index + 1} of “${shortName(set)}”.`);
    },
  });
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
