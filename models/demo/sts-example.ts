// Builds the STS lab's example pairs file, public/examples/sts-domains.tsv, from the demo model's
// held-out samples (public/examples/<domain>.jsonl, never trained on). The gold label is a rule,
// not a human judgement: 1 when both sentences come from the same domain, 0 when not. Each
// sentence is the start of a held-out sample, whitespace runs as one space, cut at a word
// boundary to ≤ 120 characters.
// Per domain: 6 same-domain pairs (samples 2k and 2k + 1, k < 6) and 6 cross-domain pairs
// (sample 12 + k with sample 12 + k of the domain k + 1 places on); the 60 rows are shuffled
// with a seeded generator so that gold is not sorted.
//   node --import tsx models/demo/sts-example.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { mulberry32 } from '../../src/util/random';

export const STS_EXAMPLE_DOMAINS = ['bible', 'quotes', 'dictionary', 'jargon', 'code'];
export const STS_EXAMPLE_FILE = 'public/examples/sts-domains.tsv';

/** The start of `text`, whitespace runs (tabs, newlines) as one space, cut at a word boundary to ≤ `max`. */
export function firstLine(text: string, max = 120): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max + 1);
  const at = cut.lastIndexOf(' ');
  return (at > max / 2 ? cut.slice(0, at) : line.slice(0, max)).trim();
}

/** The file's text from each domain's held-out texts (in file order). */
export function buildExamplePairs(texts: Record<string, string[]>): string {
  const D = STS_EXAMPLE_DOMAINS;
  const s = (d: string, i: number) => firstLine(texts[d][i]);
  const rows: string[][] = [];
  D.forEach((d, di) => {
    for (let k = 0; k < 6; k++) rows.push([s(d, 2 * k), s(d, 2 * k + 1), '1', d, d]);
    for (let k = 0; k < 6; k++) {
      const e = D[(di + 1 + (k % (D.length - 1))) % D.length];
      rows.push([s(d, 12 + k), s(e, 12 + k), '0', d, e]);
    }
  });
  const r = mulberry32(2405);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const head = ['sentence1', 'sentence2', 'score', 'domain1', 'domain2'];
  return [head, ...rows].map((row) => row.join('\t')).join('\n') + '\n';
}

/** The held-out texts of the example sets, as shipped. */
export function exampleTexts(root = '.'): Record<string, string[]> {
  return Object.fromEntries(
    STS_EXAMPLE_DOMAINS.map((d) => [
      d,
      readFileSync(`${root}/public/examples/${d}.jsonl`, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { text: string }).text),
    ]),
  );
}

const isEntry = process.argv[1]?.endsWith('sts-example.ts');
if (isEntry) {
  writeFileSync(STS_EXAMPLE_FILE, buildExamplePairs(exampleTexts()));
  console.log(`wrote ${STS_EXAMPLE_FILE}`);
}
