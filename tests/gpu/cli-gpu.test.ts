// `npm run analyze -- … --backend gpu` (Dawn, SwiftShader here) matches `--backend reference` on
// the fixtures, and says which adapter it used.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateResults, type Results } from '../../src/analysis/results';
import { compareArrays, describeComparison } from '../../src/util/compare';
import { f32Scaled } from '../../src/util/tolerances';
import { fixtureBytes } from '../helpers/fixtures';
import { analyzeCli, pruneCli, stsCli } from '../helpers/cli';
import { SWIFTSHADER_ICD } from '../../src/gpu/runtime/node';
import { resultNumbers } from '../helpers/results';
import { readSafetensors } from '../helpers/safetensors';

const PARITY = { rel: 1e-4, abs: 1e-12 };

describe('npm run analyze --backend gpu', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paramscope-cli-gpu-'));
  writeFileSync(
    join(dir, 'a.jsonl'),
    '{"text": "the cat sat on the mat"}\n{"text": "in the beginning"}\n',
  );
  writeFileSync(join(dir, 'b.txt'), 'the dog and the cat\n\nit is the end of the tale\n');

  for (const name of ['f16', 'q4_0'] as const) {
    it(`${name}: same results as the reference backend`, async () => {
      const model = join(dir, `${name}.gguf`);
      writeFileSync(model, fixtureBytes(name));
      const common = [
        '--model',
        model,
        '--set',
        `A=${join(dir, 'a.jsonl')}`,
        '--set',
        `B=${join(dir, 'b.txt')}`,
        '--split',
        'paragraphs',
        '--pair',
        'A:B',
        '--threshold',
        '1e-3',
        '--threshold',
        '1e-2',
      ];
      const g = await analyzeCli([
        ...common,
        '--backend',
        'gpu',
        '--out',
        join(dir, `${name}-gpu.json`),
        '--scores-out',
        join(dir, `${name}-gpu-scores`),
      ]);
      // no GPU here: a software adapter (SwiftShader, or Mesa lavapipe where installed) is chosen
      expect(g.stderr).toMatch(/adapter: .*(swiftshader|llvmpipe).*\(software\); precision f32/i);
      await analyzeCli([
        ...common,
        '--backend',
        'reference',
        '--out',
        join(dir, `${name}-ref.json`),
        '--scores-out',
        join(dir, `${name}-ref-scores`),
      ]);
      const rg = JSON.parse(readFileSync(join(dir, `${name}-gpu.json`), 'utf8')) as Results;
      const rr = JSON.parse(readFileSync(join(dir, `${name}-ref.json`), 'utf8')) as Results;
      expect(validateResults(rg)).toEqual([]);
      expect(rg.engine.backend).toBe('gpu');
      expect(rg.sets.map((s) => s.samples.length)).toEqual([2, 2]);
      const c = compareArrays(resultNumbers(rg), resultNumbers(rr), PARITY);
      expect(c.ok, describeComparison('gpu vs reference', c)).toBe(true);
      // the per-weight scores (--scores-out), every weight of every set, read by a reader not ours
      for (const set of ['A', 'B']) {
        const [sg, sr] = await Promise.all(
          ['gpu', 'ref'].map((b) =>
            readSafetensors(join(dir, `${name}-${b}-scores`, `${set}.safetensors`)),
          ),
        );
        expect(Object.keys(sg.tensors)).toEqual(Object.keys(sr.tensors));
        for (const [t, { values }] of Object.entries(sg.tensors)) {
          // per weight, the gradients' f32 cancellation shows: the op checks' bar (1e-4 of
          // each value plus 1e-5 of the tensor's largest)
          const want = sr.tensors[t].values;
          const cs = compareArrays(values, want, f32Scaled(want));
          expect(cs.ok, describeComparison(`${set} ${t}`, cs)).toBe(true);
        }
      }
    });
  }

  it('--precision f16: refused with the reason on an adapter without shader-f16, and for the reference backend', async () => {
    const model = join(dir, 'q8_0.gguf');
    writeFileSync(model, fixtureBytes('q8_0'));
    const args = ['--model', model, '--set', `A=${join(dir, 'a.jsonl')}`, '--precision', 'f16'];
    const out = join(dir, 'f16.json');
    const gpu = analyzeCli([...args, '--backend', 'gpu', '--out', out], {
      VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    });
    await expect(gpu).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /precision f16 needs the WebGPU feature shader-f16.*SwiftShader/,
      ),
    });
    const ref = analyzeCli([...args, '--backend', 'reference', '--out', out]);
    await expect(ref).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--precision f16 is a GPU path/),
    });
    expect(existsSync(out)).toBe(false);
  });

  it('--precision auto: takes the fastest path the adapter has and says which and why', async () => {
    const model = join(dir, 'q8_0-auto.gguf');
    writeFileSync(model, fixtureBytes('q8_0'));
    const args = ['--model', model, '--set', `A=${join(dir, 'a.jsonl')}`, '--backend', 'gpu'];
    // SwiftShader has no shader-f16; lavapipe (where installed) has it but no subgroup matrices
    const [auto, f32] = [join(dir, 'auto.json'), join(dir, 'auto-f32.json')];
    const a = await analyzeCli([...args, '--precision', 'auto', '--out', auto]);
    expect(a.stderr).toMatch(
      /precision f32 \(auto: (this adapter has no shader-f16|no f16 subgroup matrices here, and f16 without them, on packed f16 linears, measured level with f32 on an H100, not faster)\)/,
    );
    await analyzeCli([...args, '--precision', 'f32', '--out', f32]);
    const [ra, rf] = [auto, f32].map((f) => JSON.parse(readFileSync(f, 'utf8')) as Results);
    expect(ra.engine.precision).toBe('f32');
    expect(resultNumbers(ra)).toEqual(resultNumbers(rf));
  });
});

describe('npm run sts --backend gpu', () => {
  it('the per-pair LLMDcos of the reference backend (1e-4), and the same statistics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paramscope-sts-gpu-'));
    const pairs = join(dir, 'pairs.jsonl');
    writeFileSync(
      pairs,
      [
        '{"a": "the cat sat on the mat", "b": "a cat sat on a mat", "score": 4.5}',
        '{"a": "in the beginning", "b": "the end of it", "score": 1}',
        '{"tokensA": [1, 300, 301], "tokensB": [1, 300, 302, 17], "score": 3}',
        '{"a": "an apple a day", "b": "the cat sat", "score": 0.5}',
        // sentences met again (one sample each, the walk reuses a layer already in scratch),
        // and a sentence with itself (LLMDcos 1)
        '{"a": "the cat sat", "b": "in the beginning", "score": 2}',
        '{"a": "the cat sat on the mat", "b": "the cat sat", "score": 2.5}',
        '{"a": "the cat sat", "b": "the cat sat", "score": 5}',
      ].join('\n'),
    );
    const model = join(dir, 'q8_0.gguf');
    writeFileSync(model, fixtureBytes('q8_0'));
    const run = async (backend: string) => {
      const out = join(dir, `${backend}.json`);
      await stsCli(['--model', model, '--pairs', pairs, '--backend', backend, '--out', out]);
      return JSON.parse(readFileSync(out, 'utf8')) as {
        window: number[];
        pairs: { llmdcos: number[]; pairScore: number }[];
        spearman: number;
        spearmanPerLayer: number[];
        settings: { sentences: number };
        baseline: { cosine: number[] };
      };
    };
    const [gpu, ref] = [await run('gpu'), await run('reference')];
    const c = compareArrays(
      gpu.pairs.flatMap((p) => p.llmdcos),
      ref.pairs.flatMap((p) => p.llmdcos),
      PARITY,
    );
    expect(c.ok, describeComparison('llmdcos', c)).toBe(true);
    expect(gpu.window).toEqual(ref.window);
    expect(gpu.settings.sentences).toBe(8);
    for (const v of gpu.pairs[6].llmdcos) expect(v).toBeCloseTo(1, 6);
    const cc = compareArrays(gpu.baseline.cosine, ref.baseline.cosine, PARITY);
    expect(cc.ok, describeComparison('baseline cosine', cc)).toBe(true);
    // ranks agree (the sums differ by far less than their gaps on this fixture)
    expect(gpu.spearman).toBeCloseTo(ref.spearman, 9);
    expect(gpu.spearmanPerLayer.map((x) => x.toFixed(6))).toEqual(
      ref.spearmanPerLayer.map((x) => x.toFixed(6)),
    );
  });
});

interface PruneDoc {
  pruned: number[][];
  allocation: { outlierRatios?: number[]; sparsity: number[] };
  perplexity: { dense: number; pruned: number; tokens: number };
}

/**
 * A folder with fixture `name` and two-paragraph eval and calibration files; `run(backend, args)`
 * prunes with them (`args` after the inputs) to `<backend>.json` and returns it read back.
 */
function pruneFixture(name: 'q4_0' | 'q8_0') {
  const dir = mkdtempSync(join(tmpdir(), `paramscope-prune-${name}-`));
  const model = join(dir, `${name}.gguf`);
  writeFileSync(model, fixtureBytes(name));
  const evalFile = join(dir, 'eval.txt');
  writeFileSync(evalFile, 'the cat sat on the mat\n\nin the beginning was the word');
  const calib = join(dir, 'calib.txt');
  writeFileSync(calib, 'an apple a day keeps\n\nthe quick brown fox jumps');
  const run = async (backend: string, args: string[]): Promise<PruneDoc> => {
    const out = join(dir, `${backend}.json`);
    await pruneCli([
      ...['--model', model, '--eval', evalFile, '--calibration', calib, '--split', 'paragraphs'],
      ...args,
      ...['--backend', backend, '--out', out],
    ]);
    return JSON.parse(readFileSync(out, 'utf8')) as PruneDoc;
  };
  return { dir, evalFile, run };
}

describe('npm run prune --backend gpu', () => {
  it.each(['magnitude', 'wanda', 'score'])(
    '%s: the GGUF and perplexities of the reference backend; the GGUF loads back to its perplexity',
    async (method) => {
      const { dir, evalFile, run: prune } = pruneFixture('q4_0');
      const run = (backend: string) =>
        prune(backend, [
          ...['--method', method, '--sparsity', '0.6'],
          ...['--write-gguf', join(dir, `${backend}.gguf`)],
        ]);
      const [gpu, ref] = [await run('gpu'), await run('reference')];
      expect(gpu.pruned).toEqual(ref.pruned);
      // the same weights pruned: the same file, byte for byte
      expect(
        readFileSync(join(dir, 'gpu.gguf')).equals(readFileSync(join(dir, 'reference.gguf'))),
      ).toBe(true);
      expect(gpu.perplexity.tokens).toBe(ref.perplexity.tokens);
      expect(Math.abs(gpu.perplexity.dense / ref.perplexity.dense - 1)).toBeLessThan(1e-4);
      expect(Math.abs(gpu.perplexity.pruned / ref.perplexity.pruned - 1)).toBeLessThan(1e-4);
      expect(gpu.perplexity.pruned).toBeGreaterThan(gpu.perplexity.dense * 1.001);
      // the written model, loaded back like any other, gives the pruned perplexity
      const again = join(dir, 'again.json');
      await pruneCli([
        ...['--model', join(dir, 'gpu.gguf'), '--eval', evalFile, '--split', 'paragraphs'],
        ...['--method', 'magnitude', '--sparsity', '0', '--backend', 'gpu', '--out', again],
      ]);
      const back = JSON.parse(readFileSync(again, 'utf8')) as typeof gpu;
      expect(Math.abs(back.perplexity.dense / gpu.perplexity.pruned - 1)).toBeLessThan(1e-4);
    },
  );
});

describe('npm run prune --backend gpu --allocation owl', () => {
  it("takes OWL's ratios and prunes on one upload of the model: the reference backend's S_i and counts", async () => {
    const { run: prune } = pruneFixture('q8_0');
    const run = (backend: string) =>
      prune(backend, [
        ...['--method', 'wanda', '--sparsity', '0.5'],
        ...['--allocation', 'owl', '--owl-m', '3', '--owl-lambda', '0.1'],
      ]);
    const [gpu, ref] = [await run('gpu'), await run('reference')];
    gpu.allocation.sparsity.forEach((x, l) =>
      expect(x).toBeCloseTo(ref.allocation.sparsity[l], 12),
    );
    expect(Math.max(...gpu.allocation.sparsity) - Math.min(...gpu.allocation.sparsity)).toBeCloseTo(
      0.2,
      9,
    );
    expect(gpu.pruned).toEqual(ref.pruned);
    expect(Math.abs(gpu.perplexity.pruned / ref.perplexity.pruned - 1)).toBeLessThan(2e-3);
  });
});
