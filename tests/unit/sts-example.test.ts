// The STS lab's shipped example pairs file is exactly what its generator (models/demo/sts-example.ts)
// builds from the held-out example sets, and it parses as 60 pairs, half of them same-domain.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExamplePairs, exampleTexts, STS_EXAMPLE_FILE } from '../../models/demo/sts-example';
import { parsePairs } from '../../src/samples/pairs';

describe('the example pairs file', () => {
  it('is the generator’s output from the held-out sets, 30 same-domain and 30 cross-domain pairs', () => {
    const shipped = readFileSync(STS_EXAMPLE_FILE, 'utf8');
    expect(shipped).toBe(buildExamplePairs(exampleTexts()));
    const pairs = parsePairs('sts-domains.tsv', new TextEncoder().encode(shipped));
    expect(pairs).toHaveLength(60);
    expect(pairs.filter((p) => p.score === 1)).toHaveLength(30);
    expect(pairs.filter((p) => p.score === 0)).toHaveLength(30);
    for (const p of pairs) {
      expect(p.a.text!.length).toBeGreaterThan(20);
      expect(p.a.text!.length).toBeLessThanOrEqual(120);
      expect(p.b.text!.length).toBeLessThanOrEqual(120);
    }
  });
});
