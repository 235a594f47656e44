// The page benchmark's inputs (bench/page/page-bench.ts): N samples long enough to fill T tokens
// (one per line, as a researcher's text file), and STS pairs as STS-B ships them (tab-separated,
// a header row, a 0–5 score).
const WORDS = (
  'the model reads each sample and the gradient of its largest logit reaches every weight of the ' +
  'seven matrices in every layer where the product of weight and gradient marks what the input ' +
  'used while sets of texts from one domain share many of those weights and texts from others do ' +
  'not which the density per layer and the cosine similarity between sets make visible'
).split(' ');

/** Sample i: 200 words drawn from a fixed list by a seeded walk (≥ 200 tokens in any vocabulary). */
function sample(i: number): string {
  let x = (i + 1) * 2654435761;
  const out: string[] = [`Sample ${i + 1}:`];
  for (let w = 0; w < 200; w++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length]);
  }
  return out.join(' ');
}

export const benchSamples = (n: number): string[] => Array.from({ length: n }, (_, i) => sample(i));

export function stsPairs(n: number): string {
  const rows = ['sentence1\tsentence2\tscore'];
  for (let i = 0; i < n; i++) {
    const a = sample(100 + i)
      .split(' ')
      .slice(1, 24)
      .join(' ');
    const b = sample(200 + (i % 4))
      .split(' ')
      .slice(1, 24)
      .join(' ');
    rows.push(`${a}\t${b}\t${(i % 6).toFixed(1)}`);
  }
  return rows.join('\n');
}
