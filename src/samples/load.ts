// Sample files: .txt (one sample per file, or split by paragraphs or lines), .jsonl
// ({"text": ...} or {"tokens": [ids]} per line), .csv/.tsv with a `text` column.
import { csvParseRows, tsvParseRows } from 'd3';
import type { Tokenizer } from '../tokenizer/index';
import { clip, MESSAGE_MAX, oneLine, quoted } from '../util/message';

/** The longest .jsonl line read (a sample this long is far beyond any max tokens). */
export const MAX_LINE_CHARS = 16 << 20;
/** The deepest nesting of arrays and objects in a .jsonl line. */
export const MAX_JSON_DEPTH = 64;

export interface Sample {
  /** where it came from, e.g. "c4.jsonl:12" */
  source: string;
  text?: string;
  /** token ids used exactly as given (no BOS added) */
  tokens?: number[];
}

export type TxtSplit = 'auto' | 'paragraphs' | 'lines' | 'file';

/**
 * How a .txt file becomes samples — one table for the app's Split menu and the CLIs' --split, so
 * a file gives the same set in both. `auto` (the default everywhere): paragraphs where the file
 * holds a blank line, else one sample per line (a one-sample-per-line corpus just works).
 */
export const TXT_SPLITS: { id: TxtSplit; label: string }[] = [
  { id: 'auto', label: 'auto: paragraphs if the file has blank lines, else lines' },
  { id: 'paragraphs', label: 'one sample per paragraph (blank-line separated)' },
  { id: 'lines', label: 'one sample per line' },
  { id: 'file', label: 'the whole file as one sample' },
];
export const DEFAULT_TXT_SPLIT: TxtSplit = 'auto';

export const SAMPLE_FORMATS =
  '.txt, .jsonl ({"text": …} or {"tokens": [ids]} per line), .csv or .tsv with a "text" column';

export class SampleError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    const f = clip(file, 80);
    const sup = ` (supported: ${SAMPLE_FORMATS})`;
    super(`${f}: ${oneLine(problem, MESSAGE_MAX - f.length - 2 - sup.length)}${sup}`);
    this.name = 'SampleError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a UTF-8 file (a BOM dropped); `fail` makes the error for a file that is not. */
export function decode(
  name: string,
  bytes: Uint8Array,
  fail: (problem: string) => Error = (p) => new SampleError(name, p),
): string {
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw fail('is not valid UTF-8 text');
  }
}

export function extension(name: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(name);
  return m ? m[1].toLowerCase() : '';
}

/** Parses the samples of one file. */
export function parseSamples(
  name: string,
  bytes: Uint8Array,
  split: TxtSplit = DEFAULT_TXT_SPLIT,
): Sample[] {
  const samples = parseFile(name, bytes, split);
  checkSetSize(name, samples.length);
  return samples;
}

/**
 * The most samples a set holds (as many as a results file may claim): a 50 MB one-sample-per-line
 * file is refused by name in about a second instead of freezing the page while every sample is
 * tokenized for its count.
 */
export const MAX_SET_SAMPLES = 100_000;

/** Refuses, naming `what`, a set of more than MAX_SET_SAMPLES samples. */
export function checkSetSize(what: string, n: number): void {
  if (n > MAX_SET_SAMPLES)
    throw new SampleError(
      what,
      `has ${n.toLocaleString('en')} samples; a set holds at most ${MAX_SET_SAMPLES.toLocaleString('en')} — split the file or take a sample of it`,
    );
}

function parseFile(name: string, bytes: Uint8Array, split: TxtSplit): Sample[] {
  const ext = extension(name);
  const text = decode(name, bytes);
  switch (ext) {
    case 'txt':
    case 'md':
      return parseTxt(name, text, split);
    case 'jsonl':
    case 'ndjson':
      return parseJsonl(name, text);
    case 'csv':
      return parseTable(name, csvParseRows(text));
    case 'tsv':
      return parseTable(name, tsvParseRows(text));
    default:
      throw new SampleError(name, `unknown file type ".${ext}"`);
  }
}

function parseTxt(name: string, text: string, how: TxtSplit): Sample[] {
  const norm = text.replace(/\r\n?/g, '\n');
  if (norm.trim() === '') throw new SampleError(name, 'is empty');
  const split = how === 'auto' ? (/\n[ \t]*\n/.test(norm.trim()) ? 'paragraphs' : 'lines') : how;
  if (split === 'file') {
    return [{ source: name, text: norm.replace(/\n+$/, '') }];
  }
  const parts = split === 'lines' ? norm.split('\n') : norm.split(/\n\s*\n/);
  const out = parts
    .map((p, i) => ({
      source: `${name}:${split === 'lines' ? 'line' : 'paragraph'} ${i + 1}`,
      text: p.trim(),
    }))
    .filter((s) => s.text !== '');
  if (out.length === 0) throw new SampleError(name, 'has no non-empty ' + split);
  return out;
}

/**
 * Line `where` of a .jsonl file as a JSON object: refused, through `fail`, when it is too long,
 * nests too deep, is not JSON or not an object (sample files and sentence-pair files alike).
 */
export function jsonlObject(
  line: string,
  where: string,
  fail: (problem: string) => Error,
): Record<string, unknown> {
  if (line.length > MAX_LINE_CHARS)
    throw fail(
      `${where} is ${(line.length / 2 ** 20).toFixed(1)} M characters long (at most ${MAX_LINE_CHARS / 2 ** 20} M per line)`,
    );
  const depth = jsonDepth(line);
  if (depth > MAX_JSON_DEPTH)
    throw fail(`${where} nests arrays or objects ${depth} levels deep (at most ${MAX_JSON_DEPTH})`);
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    // V8 says where in the line as "(line 1 column 22)": that line is not the file's line
    const why = (e as Error).message
      .replace(/ in JSON at position \d+ \(line \d+ column (\d+)\)/, ' at column $1')
      .replace(/ \(line \d+ column (\d+)\)/, ' at column $1');
    throw fail(`${where} is not valid JSON: ${why}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw fail(`${where} is not a JSON object`);
  }
  return v as Record<string, unknown>;
}

function parseJsonl(name: string, text: string): Sample[] {
  const out: Sample[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    const o = jsonlObject(line, where, (p) => new SampleError(name, p));
    if (typeof o.text === 'string') out.push({ source: `${name}:${i + 1}`, text: o.text });
    else if (Array.isArray(o.tokens)) {
      if (
        o.tokens.length === 0 ||
        !o.tokens.every((t) => Number.isInteger(t) && (t as number) >= 0)
      ) {
        throw new SampleError(
          name,
          `${where}: "tokens" must be a non-empty array of non-negative integers`,
        );
      }
      out.push({ source: `${name}:${i + 1}`, tokens: o.tokens as number[] });
    } else throw new SampleError(name, `${where} has neither a "text" string nor a "tokens" array`);
  });
  if (out.length === 0) throw new SampleError(name, 'has no samples');
  return out;
}

/** The deepest nesting of [ and { outside strings in a JSON text (stops counting past the cap). */
function jsonDepth(line: string): number {
  let depth = 0;
  let most = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > most) most = depth;
      if (most > MAX_JSON_DEPTH) return most;
    } else if (c === 93 || c === 125) depth--;
  }
  return most;
}

function parseTable(name: string, rows: string[][]): Sample[] {
  if (rows.length === 0 || rows.every((r) => r.every((x) => x.trim() === '')))
    throw new SampleError(name, 'is empty');
  const col = rows[0].findIndex((h) => h.trim().toLowerCase() === 'text');
  if (col < 0) {
    const shown = rows[0].slice(0, 8).map((h) => quoted(h, 30));
    throw new SampleError(
      name,
      `has no "text" column in its header (columns: ${shown.join(', ')}${rows[0].length > 8 ? `, … ${rows[0].length} in all` : ''})`,
    );
  }
  const out: Sample[] = [];
  rows.slice(1).forEach((r, i) => {
    if (r.length === 1 && r[0] === '') return;
    if (r.length <= col)
      throw new SampleError(name, `row ${i + 2} has ${r.length} fields, no "text"`);
    if (r[col].trim() !== '') out.push({ source: `${name}:${i + 2}`, text: r[col] });
  });
  if (out.length === 0) throw new SampleError(name, 'has no non-empty text rows');
  return out;
}

/** Default max tokens per sample (BOS included). */
export const DEFAULT_MAX_TOKENS = 256;

/**
 * Token ids for a sample: BOS (when the tokenizer adds it) and the text's ids, or the given
 * ids as they are; then the first `maxTokens` are kept (the start of the text; BOS stays first).
 */
export function sampleTokens(s: Sample, tok: Tokenizer, maxTokens = DEFAULT_MAX_TOKENS): number[] {
  let ids: number[];
  if (s.tokens) {
    const bad = s.tokens.find((t) => t >= tok.vocabSize);
    if (bad !== undefined) {
      throw new SampleError(
        s.source,
        `token id ${bad} is not below the vocabulary size ${tok.vocabSize}`,
      );
    }
    ids = s.tokens;
  } else ids = [...(tok.addBos ? [tok.bosId] : []), ...encodePrefix(tok, s.text ?? '', maxTokens)];
  if (ids.length === 0) throw new SampleError(s.source, 'has no tokens');
  return ids.slice(0, Math.max(1, maxTokens));
}

/** The fewest tokens tokensOf keeps of a text (what the sample list previews). */
export const TOKENIZE_AT_LEAST = 8192;
const MAX_MEMO = 20000;
const tokenized = new WeakMap<Tokenizer, Map<string, { max: number; ids: number[] }>>();

/**
 * sampleTokens, with each text tokenized once per tokenizer: at the largest max tokens asked so
 * far (TOKENIZE_AT_LEAST at least), smaller maxima taking the start of those ids — encodePrefix's
 * ids begin exactly as the whole text's do. The sample list's counts, its preview and the run's
 * request share one tokenization.
 */
export function tokensOf(s: Sample, tok: Tokenizer, maxTokens = DEFAULT_MAX_TOKENS): number[] {
  if (s.tokens) return sampleTokens(s, tok, maxTokens);
  let memo = tokenized.get(tok);
  if (!memo) tokenized.set(tok, (memo = new Map()));
  const text = s.text ?? '';
  let hit = memo.get(text);
  if (!hit || hit.max < maxTokens) {
    const max = Math.max(maxTokens, TOKENIZE_AT_LEAST);
    hit = { max, ids: sampleTokens(s, tok, max) };
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(text, hit);
  }
  return hit.ids.slice(0, Math.max(1, maxTokens));
}

/** Tokens past the kept ones that a prefix must still yield, so that a cut cannot change them. */
const PREFIX_MARGIN = 32;

/**
 * The text's first `maxTokens` (or more) token ids, from as short a prefix of it as gives them: a
 * 20 MB text costs what its first few thousand characters do. The prefix ends at a whitespace
 * (both tokenizers split words there first) and is kept only when it yields PREFIX_MARGIN tokens
 * beyond those kept; else it doubles, up to the whole text.
 */
export function encodePrefix(tok: Tokenizer, text: string, maxTokens: number): number[] {
  let n = Math.max(64, maxTokens * 8);
  while (n < text.length) {
    let cut = n;
    const space = text.lastIndexOf(' ', n);
    if (space > n * 0.75) cut = space;
    const ids = tok.encode(text.slice(0, cut));
    if (ids.length >= maxTokens + PREFIX_MARGIN) return ids;
    n *= 2;
  }
  return tok.encode(text);
}
