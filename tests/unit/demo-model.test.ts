// The shipped demo model: its tokenizer gives SentencePiece's ids on every example sample, and the
// reference backend's scores match the trainer's f64 PyTorch autograd scores to 1e-3.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { loadLlamaWeights } from '../../src/model/weights';
import { llamaConfig } from '../../src/model/read-config';
import { runReference } from '../../src/engine/run-reference';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { demoFile, golden, goldenPairs, GOLDEN_REL } from '../helpers/demo';

describe('demo model', () => {
  it('has the documented shape and a Q8_0 file under 12 MB', async () => {
    const f = await demoFile();
    const c = llamaConfig(f);
    expect([
      c.blockCount,
      c.embeddingLength,
      c.headCount,
      c.headCountKv,
      c.vocabSize,
      c.contextLength,
    ]).toEqual([8, 256, 8, 4, 4096, 256]);
    expect(f.source.size).toBeLessThanOrEqual(12 * 1024 * 1024);
  });

  it('tokenizes all 120 example samples exactly as SentencePiece did', async () => {
    const tok = tokenizerFromGguf(await demoFile());
    let n = 0;
    for (const [domain, ids] of Object.entries(golden.tokenizer)) {
      const texts = readFileSync(`public/examples/${domain}.jsonl`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).text as string);
      expect(texts).toHaveLength(ids.length);
      texts.forEach((t, i) => expect(tok.encode(t), `${domain} #${i}`).toEqual(ids[i]));
      n += texts.length;
    }
    expect(n).toBe(120);
  });

  it('reference backend matches the trainer’s PyTorch autograd scores to 1e-3', async () => {
    const w = await loadLlamaWeights(await demoFile());
    const out = await runReference(w, {
      sets: [
        {
          name: 'golden',
          samples: golden.samples.map((g) => ({ source: g.domain, tokens: g.tokens })),
        },
      ],
      pairs: [],
      thresholds: [1e-4],
      metric: 'grad_x_weight',
      maxTokens: 256,
    });
    golden.samples.forEach((g, i) => {
      const r = out.sets[0].samples[i];
      expect(r.argmax).toBe(g.argmax);
      expect(Math.abs(r.maxLogit - g.maxLogit) / Math.abs(g.maxLogit)).toBeLessThan(GOLDEN_REL);
      const { got, want } = goldenPairs(r, g);
      const c = compareArrays(got, want, { rel: GOLDEN_REL, abs: 0 });
      expect(c.ok, describeComparison(`${g.domain} sumA/sumA2/maxA`, c)).toBe(true);
    });
  });
});
