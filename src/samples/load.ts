// Sample files: .txt (one sample per file, or split by paragraphs or lines), .jsonl
// ({"text": ...} or {"tokens": [ids]} per line), .csv/.tsv with a `text` column.
import { csvParseRows, tsvParseRows } from 'd3';
import type { Tokenizer } from '../tokenizer/index';

export interface Sample {
  /** where it came from, e.g. "c4.jsonl:12" */
  source: string;
  text?: string;
  /** token ids used exactly as given (no BOS added) */
  tokens?: number[];
}

export type TxtSplit = 'file' | 'paragraphs' | 'lines';

export const SAMPLE_FORMATS =
  '.txt, .jsonl ({"text": …} or {"tokens": [ids]} per line), .csv or .tsv with a "text" column';

export class SampleError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem} (supported: ${SAMPLE_FORMATS})`);
    this.name = 'SampleError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(name: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new SampleError(name, 'is not valid UTF-8 text');
  }
}

function extension(name: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(name);
  return m ? m[1].toLowerCase() : '';
}

/** Parses the samples of one file. */
export function parseSamples(name: string, bytes: Uint8Array, split: TxtSplit = 'file'): Sample[] {
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

function parseTxt(name: string, text: string, split: TxtSplit): Sample[] {
  const norm = text.replace(/\r\n?/g, '\n');
  if (split === 'file') {
    if (norm.trim() === '') throw new SampleError(name, 'is empty');
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

function parseJsonl(name: string, text: string): Sample[] {
  const out: Sample[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new SampleError(name, `${where} is not valid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new SampleError(name, `${where} is not a JSON object`);
    }
    const o = v as Record<string, unknown>;
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

function parseTable(name: string, rows: string[][]): Sample[] {
  if (rows.length === 0) throw new SampleError(name, 'is empty');
  const col = rows[0].findIndex((h) => h.trim().toLowerCase() === 'text');
  if (col < 0) throw new SampleError(name, `has no "text" column (columns: ${rows[0].join(', ')})`);
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
  } else ids = [...(tok.addBos ? [tok.bosId] : []), ...tok.encode(s.text ?? '')];
  if (ids.length === 0) throw new SampleError(s.source, 'has no tokens');
  return ids.slice(0, Math.max(1, maxTokens));
}
