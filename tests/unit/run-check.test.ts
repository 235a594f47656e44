// The gate before results are shown or cached (src/engine/check.ts): a correct run passes; a
// NaN, a count beyond its matrix, a layer without scores or an LLMDcos outside 0…1 is an error
// naming where it is.
import { describe, expect, it } from 'vitest';
import { checkRunOutput, RunCheckError } from '../../src/engine/check';
import { runReference } from '../../src/engine/run-reference';
import type { RunOutput } from '../../src/engine/types';
import { fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { type LlamaConfig } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { request } from '../helpers/parity';

describe('checkRunOutput', () => {
  let good: RunOutput;
  let config: LlamaConfig;

  const broken = (edit: (o: RunOutput) => void) => {
    const o = structuredClone(good);
    edit(o);
    try {
      checkRunOutput(o, config, 'grad_x_weight');
    } catch (e) {
      expect(e).toBeInstanceOf(RunCheckError);
      return (e as Error).message;
    }
    return 'passed';
  };

  it('passes a correct reference run', async () => {
    config = llamaConfig(await fixtureFile('q8_0'));
    const req = request(config.vocabSize, [[4, 6], [5]], 'grad_x_weight');
    good = await runReference(await fixtureWeights('q8_0'), req);
    expect(() => checkRunOutput(good, config, 'grad_x_weight')).not.toThrow();
  });

  it('names the set, sample, layer and matrix of a bad value', () => {
    expect(broken((o) => (o.sets[0].samples[1].sumA[1][2] = NaN))).toBe(
      'set "set0", sample 2, layer 1, v: Σ A is NaN (non-finite activations or weights: check the model file); the run\'s results were not kept',
    );
    expect(broken((o) => (o.sets[1].samples[0].maxLogit = Infinity))).toMatch(
      /^set "set1", sample 1: the max logit is Infinity/,
    );
    expect(broken((o) => (o.sets[0].samples[0].maxA[0][6] = NaN))).toMatch(
      /layer 0, down: max A is NaN/,
    );
  });

  it('refuses a layer whose scores are all 0 (not computed), for the gradient metrics', () => {
    const zero = (o: RunOutput) =>
      (o.sets[0].samples[0].sumA[0] = o.sets[0].samples[0].sumA[0].map(() => 0));
    expect(broken(zero)).toMatch(/set "set0", sample 1, layer 0: every score is 0/);
    const o = structuredClone(good);
    zero(o);
    // magnitude and wanda scores do not come from a backward pass: 0 is not evidence there
    expect(() => checkRunOutput(o, config, 'magnitude')).not.toThrow();
  });

  it('refuses density counts beyond the matrix and LLMDcos outside 0…1', () => {
    const qParams = config.headCount * config.headDim * config.embeddingLength;
    expect(broken((o) => (o.sets[0].density.counts[0][0][0] = qParams + 1))).toMatch(
      new RegExp(`layer 0, q: the density count ${qParams + 1} is not within 0…${qParams}`),
    );
    expect(broken((o) => (o.sets[0].density.counts[1][3][0] = 2.5))).toMatch(
      /layer 1, o: the density count 2\.5/,
    );
    expect(broken((o) => (o.pairs[0].llmdcos[0][1] = 1.5))).toMatch(
      /^pair "set0" · "set1" #1, layer 1: LLMDcos 1\.5 is outside 0…1/,
    );
    expect(broken((o) => (o.pairs[0].llmdcos[0][0] = NaN))).toMatch(/LLMDcos is NaN/);
  });
});
