// `npm run analyze -- --scores-out DIR`: per set a safetensors file of every scored weight's Σ A,
// read back by an independent reader (tests/helpers/read_safetensors.py, Python's standard
// library) and checked weight by weight — against the GGUF's own tensors in the file's shape and
// row order (metric |W|, so Σ A = n·|W|: llama, Qwen2's NeoX rows, Phi-3's fused tensors), and
// against the f64 reference's Σ |∂D/∂W ⊙ W| (grad × weight).
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTensorF32 } from '../../src/gguf/reader';
import { MATRICES, MATRIX_TENSOR, matrixShape } from '../../src/model/config';
import { llamaConfig } from '../../src/model/read-config';
import { scoredTensors } from '../../src/scores/layout';
import { llamaScores } from '../../src/reference/llama';
import { metricValues } from '../../src/analysis/metrics';
import { weightsToF64 } from '../../src/model/weights';
import { tokenizerFromGguf } from '../../src/tokenizer/index';
import { sampleTokens } from '../../src/samples/load';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { fixtureBytes, fixtureFile, fixtureWeights } from '../helpers/fixtures';
import { analyzeCli, cliFailure } from '../helpers/cli';
import { readSafetensors } from '../helpers/safetensors';
import { scoresFileName } from '../../src/cli/scores-out';

const TEXTS = ['the cat sat on the mat', 'in the beginning'];

describe('per-parameter scores out (--scores-out)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-scores-'));
  writeFileSync(join(dir, 'a.txt'), TEXTS.join('\n'));

  async function analyze(name: 'f32' | 'qwen2' | 'phi3', metric: string, out: string) {
    const model = join(dir, `${name}.gguf`);
    writeFileSync(model, fixtureBytes(name));
    await analyzeCli([
      ...['--model', model, '--set', `set A/1=${join(dir, 'a.txt')}`, '--split', 'lines'],
      ...['--metric', metric, '--out', join(dir, `${name}-${metric}.json`), '--scores-out', out],
    ]);
    return readSafetensors(join(out, scoresFileName('set A/1')));
  }

  for (const name of ['f32', 'qwen2', 'phi3'] as const)
    it(`${name}: |W| scores equal n·|W| of each GGUF tensor, in its shape and row order`, async () => {
      const out = join(dir, `mag-${name}`);
      const r = await analyze(name, 'magnitude', out);
      const file = await fixtureFile(name);
      const c = llamaConfig(file);
      expect(Object.keys(r.tensors)).toEqual(scoredTensors(c).map((t) => t.name));
      for (const [tensor, { shape, values }] of Object.entries(r.tensors)) {
        const t = file.tensors.get(tensor)!;
        expect(shape, tensor).toEqual([...t.dims].reverse());
        const want = Array.from(await readTensorF32(file, tensor), (w) => 2 * Math.abs(w));
        const cmp = compareArrays(values, want, { rel: 1e-6, abs: 0 });
        expect(cmp.ok, describeComparison(tensor, cmp)).toBe(true);
      }
      expect(r.metadata).toMatchObject({
        schema: 'paramscope.scores/1',
        set: 'set A/1',
        metric: 'magnitude',
        samples: '2',
      });
      expect(r.metadata.model_key).toMatch(/^\d+:[0-9a-f]{32}$/);
      expect(r.metadata.token_ids_sha256).toMatch(/^[0-9a-f]{64}$/);
      // nothing but the final file is left in the folder
      expect(readdirSync(out)).toEqual([scoresFileName('set A/1')]);
    }, 120_000);

  it('f32: grad × weight scores equal the f64 reference’s Σ A, weight by weight', async () => {
    const r = await analyze('f32', 'grad_x_weight', join(dir, 'gxw'));
    const w = weightsToF64(await fixtureWeights('f32'));
    const c = w.config;
    const tok = tokenizerFromGguf(await fixtureFile('f32'));
    const runs = TEXTS.map((text) => llamaScores(w, sampleTokens({ source: 'x', text }, tok)));
    for (let l = 0; l < c.blockCount; l++)
      for (const m of MATRICES) {
        const { O, I } = matrixShape(c, m);
        const want = new Float64Array(O * I);
        for (const res of runs) {
          const A = metricValues('grad_x_weight', w.layers[l].matrices[m], I, res.grads[l][m]);
          A.forEach((a, i) => (want[i] += a));
        }
        const got = r.tensors[`blk.${l}.${MATRIX_TENSOR[m]}.weight`].values;
        const cmp = compareArrays(got, want, { rel: 1e-4, abs: 1e-9 });
        expect(cmp.ok, describeComparison(`layer ${l} ${m}`, cmp)).toBe(true);
      }
  }, 120_000);

  it('refuses a file as the folder, and two sets that would share a file — before any work', async () => {
    const model = join(dir, 'f32.gguf');
    writeFileSync(model, fixtureBytes('f32'));
    const base = ['--model', model, '--out', join(dir, 'x.json')];
    const asFile = await cliFailure(analyzeCli, [
      ...base,
      ...['--set', `A=${join(dir, 'a.txt')}`, '--scores-out', join(dir, 'a.txt')],
    ]);
    expect(asFile.stderr).toMatch(/--scores-out .*a\.txt is a file: name a folder/);
    const clash = await cliFailure(analyzeCli, [
      ...base,
      ...['--set', `a b=${join(dir, 'a.txt')}`, '--set', `a_b=${join(dir, 'a.txt')}`],
      ...['--scores-out', join(dir, 'clash')],
    ]);
    expect(clash.stderr).toMatch(/sets "a b" and "a_b" would both be written to a_b\.safetensors/);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  }, 120_000);
});
