// Sentence-pair files for the semantic-similarity check (docs/METHOD.md §5): two sentences and a gold
// score per pair. .tsv (tab-separated, no quoting: STS-B's and SICK's own files) and .csv with a
// header naming the columns; .jsonl with {"a", "b", "score"} or {"tokensA", "tokensB", "score"}.
import { csvParseRows } from 'd3';
import { clip, MESSAGE_MAX, oneLine, quoted } from '../util/message';
import { decode, extension, jsonlObject, type Sample } from './load';

export interface SentencePair {
  a: Sample;
  b: Sample;
  /** the gold similarity */
  score: number;
}

/** The largest pairs file read (STS-B's and SICK's files are about 1 MB). */
export const MAX_PAIRS_BYTES = 64 << 20;

/** Refuses a file larger than MAX_PAIRS_BYTES by name, before it is read. */
export function checkPairsSize(name: string, bytes: number): void {
  if (bytes > MAX_PAIRS_BYTES)
    throw new PairsError(
      name,
      `is ${(bytes / 2 ** 20).toFixed(1)} MiB; pairs files up to ${MAX_PAIRS_BYTES >> 20} MiB are read`,
    );
}

/** The most pairs read (STS-B has 8,628, SICK 9,840): a file past it is refused before parsing. */
export const MAX_PAIRS = 100_000;

/** The fewest pairs a rank correlation is taken over. */
export const MIN_PAIRS = 3;

export const PAIR_FORMATS =
  '.tsv or .csv with a header naming sentence1, sentence2 and score (or SICK names: sentence_A, sentence_B, relatedness_score), STS-B as shipped (sts-*.csv: tab-separated, no header, score in column 5, sentences in 6 and 7), .jsonl with {"a", "b", "score"} or {"tokensA", "tokensB", "score"}';

export class PairsError extends Error {
  constructor(file: string, problem: string) {
    const f = clip(file, 80);
    const sup = ` (supported: ${PAIR_FORMATS})`;
    super(`${f}: ${oneLine(problem, Math.max(60, MESSAGE_MAX - f.length - 2 - sup.length))}${sup}`);
    this.name = 'PairsError';
  }
}

/** Header names recognised for each column, lower case. */
const COLUMNS = {
  a: ['sentence1', 'sentence_a', 'sentence 1', 'text_a', 'a'],
  b: ['sentence2', 'sentence_b', 'sentence 2', 'text_b', 'b'],
  score: ['score', 'relatedness_score', 'label', 'similarity', 'gold'],
};

export function parsePairs(name: string, bytes: Uint8Array): SentencePair[] {
  checkPairsSize(name, bytes.length);
  const ext = extension(name);
  const text = decode(name, bytes, (p) => new PairsError(name, p));
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0 && lines <= MAX_PAIRS + 1; i = text.indexOf('\n', i + 1))
    lines++;
  if (lines > MAX_PAIRS + 1)
    throw new PairsError(
      name,
      `has over ${MAX_PAIRS.toLocaleString('en')} lines; at most ${MAX_PAIRS.toLocaleString('en')} pairs are read`,
    );
  let pairs: SentencePair[];
  const tabbed = () => text.split(/\r?\n/).map((l) => l.split('\t'));
  // the first line alone decides STS-B's layout (not the whole file split into rows for it)
  const first = () => text.split('\n', 1)[0];
  if (ext === 'jsonl') pairs = parseJsonl(name, text);
  else if (!['tsv', 'txt', 'csv'].includes(ext))
    throw new PairsError(name, `unknown file type "${ext ? `.${ext}` : name}"`);
  else if (isStsb(first().replace(/\r$/, '').split('\t'))) pairs = parseStsb(name, tabbed());
  else if (ext === 'csv') pairs = parseTable(name, csvParseRows(text));
  else pairs = parseTable(name, tabbed());
  if (pairs.length < MIN_PAIRS)
    throw new PairsError(
      name,
      `has ${pairs.length} pair(s); a rank correlation needs at least ${MIN_PAIRS}`,
    );
  return pairs;
}

function score(name: string, where: string, raw: unknown): number {
  const x =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && raw.trim() !== ''
        ? Number(raw)
        : NaN;
  if (!Number.isFinite(x))
    throw new PairsError(
      name,
      `${where}: the score ${quoted(String(raw), 30)} is not a finite number`,
    );
  return x;
}

/**
 * STS-B as its benchmark ships it (sts-train.csv, sts-dev.csv, sts-test.csv): tab-separated
 * despite the name, no header, unquoted, 7 columns — genre, file, year, id, score (0–5),
 * sentence1, sentence2 — and on some rows the sources after them. A first row of that shape
 * (≥ 7 tab-separated fields, a number in the fifth) is taken as this layout.
 */
function isStsb(first: string[]): boolean {
  if (first.length < 7) return false;
  const header = first.map((h) => h.trim().toLowerCase());
  if (COLUMNS.a.some((c) => header.includes(c))) return false;
  return first[4].trim() !== '' && Number.isFinite(Number(first[4]));
}

function parseStsb(name: string, rows: string[][]): SentencePair[] {
  const out: SentencePair[] = [];
  rows.forEach((r, i) => {
    if (r.every((x) => x.trim() === '')) return;
    const where = `line ${i + 1}`;
    if (r.length < 7)
      throw new PairsError(
        name,
        `${where} has ${r.length} tab-separated fields; STS-B's layout (genre, file, year, id, score, sentence1, sentence2) has 7`,
      );
    if (r[5].trim() === '' || r[6].trim() === '')
      throw new PairsError(name, `${where} has an empty sentence`);
    const source = `${name}:${i + 1}`;
    out.push({
      a: { source: `${source}a`, text: r[5] },
      b: { source: `${source}b`, text: r[6] },
      score: score(name, where, r[4]),
    });
  });
  return out;
}

function parseTable(name: string, rows: string[][]): SentencePair[] {
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const col = (k: keyof typeof COLUMNS) => header.findIndex((h) => COLUMNS[k].includes(h));
  const at = { a: col('a'), b: col('b'), score: col('score') };
  const missing = (Object.keys(at) as (keyof typeof at)[]).filter((k) => at[k] < 0);
  if (missing.length > 0) {
    const shown = (rows[0] ?? []).slice(0, 8).map((h) => quoted(h, 30));
    const want = missing.map((k) => COLUMNS[k].slice(0, 2).join(' or ')).join('; ');
    throw new PairsError(
      name,
      `has no column for ${want} in its header (columns: ${shown.join(', ') || 'none'})`,
    );
  }
  const out: SentencePair[] = [];
  rows.slice(1).forEach((r, i) => {
    if (r.every((x) => x.trim() === '')) return;
    const where = `row ${i + 2}`;
    const need = Math.max(at.a, at.b, at.score) + 1;
    if (r.length < need)
      throw new PairsError(
        name,
        `${where} has ${r.length} fields, not the ${need} the header names`,
      );
    const [a, b] = [r[at.a], r[at.b]];
    if (a.trim() === '' || b.trim() === '')
      throw new PairsError(name, `${where} has an empty sentence`);
    const source = `${name}:${i + 2}`;
    out.push({
      a: { source: `${source}a`, text: a },
      b: { source: `${source}b`, text: b },
      score: score(name, where, r[at.score]),
    });
  });
  return out;
}

function tokens(name: string, where: string, key: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((t) => Number.isInteger(t) && t >= 0))
    throw new PairsError(
      name,
      `${where}: "${key}" must be a non-empty array of non-negative integers`,
    );
  return v as number[];
}

function parseJsonl(name: string, text: string): SentencePair[] {
  const out: SentencePair[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    const o = jsonlObject(line, where, (p) => new PairsError(name, p));
    const source = `${name}:${i + 1}`;
    let a: Sample;
    let b: Sample;
    if (typeof o.a === 'string' && typeof o.b === 'string') {
      if (o.a.trim() === '' || o.b.trim() === '')
        throw new PairsError(name, `${where} has an empty sentence`);
      [a, b] = [
        { source: `${source}a`, text: o.a },
        { source: `${source}b`, text: o.b },
      ];
    } else if ('tokensA' in o || 'tokensB' in o) {
      a = { source: `${source}a`, tokens: tokens(name, where, 'tokensA', o.tokensA) };
      b = { source: `${source}b`, tokens: tokens(name, where, 'tokensB', o.tokensB) };
    } else
      throw new PairsError(
        name,
        `${where} has neither "a" and "b" strings nor "tokensA" and "tokensB" arrays`,
      );
    if (!('score' in o)) throw new PairsError(name, `${where} has no "score"`);
    out.push({ a, b, score: score(name, where, o.score) });
  });
  return out;
}
