// Imported results and sessions are refused, by field, when a count is past any real model or run
// (a file claiming 10⁹ layers used to hang the tab) or when their parts do not fit together
// (duplicate set names, pairs naming unknown sets, non-numeric bins, an object as model name).
import { beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_BOUNDS, validateResults, type Results } from '../../src/analysis/results';
import { assembleResults } from '../../src/engine/assemble';
import { runReference } from '../../src/engine/run-reference';
import { validateSession } from '../../src/stores/persist';
import { fixtureWeights } from '../helpers/fixtures';

describe('import bounds', () => {
  let valid: Results;
  beforeAll(async () => {
    const w = await fixtureWeights('f32');
    const req = {
      sets: [
        { name: 'A', samples: [{ source: 'a', tokens: [1, 5, 9] }] },
        { name: 'B', samples: [{ source: 'b', tokens: [1, 7] }] },
      ],
      pairs: [{ a: 'A', b: 'B' }],
      thresholds: [1e-3],
      metric: 'grad_x_weight' as const,
      maxTokens: 8,
    };
    const out = await runReference(w, req);
    valid = assembleResults(
      out,
      req,
      { name: 'fx', file: 'fx.gguf', config: w.config },
      {
        backend: 'reference',
        precision: 'f32',
      },
    );
  });
  const edit = (f: (r: Record<string, any>) => void) => {
    const r = JSON.parse(JSON.stringify(valid));
    f(r);
    return validateResults(r);
  };

  it('a valid document passes', () => expect(validateResults(valid)).toEqual([]));

  it('a claim of 10⁹ layers is refused at once, with no sets needed', () => {
    const t0 = performance.now();
    const errs = edit((r) => {
      r.model.config.blockCount = 1e9;
      r.sets = [];
      r.pairs = [];
    });
    expect(performance.now() - t0).toBeLessThan(100);
    expect(errs).toEqual([
      `model.config.blockCount: missing or not an integer from 1 to ${RESULTS_BOUNDS.layers}`,
    ]);
  });

  it('too many sets or samples are refused by count before they are walked', () => {
    expect(edit((r) => (r.sets = new Array(RESULTS_BOUNDS.sets + 1).fill(r.sets[0])))[0]).toMatch(
      /^sets: 1001 entries: at most 1000/,
    );
    expect(
      edit((r) => (r.sets[0].samples = new Array(RESULTS_BOUNDS.samplesPerSet + 1).fill(null))),
    ).toEqual([`sets[0].samples: 100001 entries: at most ${RESULTS_BOUNDS.samplesPerSet}`]);
  });

  it("the hostile probe's documents are refused by field", () => {
    expect(edit((r) => (r.sets[1].name = 'A'))).toContain('sets[1].name: "A" names two sets');
    expect(edit((r) => (r.pairs[0].b = 'Z'))).toContain(
      'pairs[0]: names a set the file does not hold ("Z")',
    );
    expect(edit((r) => (r.model.name = { x: 1 }))).toContain('model.name: not a string');
    expect(edit((r) => delete r.model.matrixParameters)).toContain(
      'model.matrixParameters: missing',
    );
    expect(edit((r) => (r.sets[0].density.histograms[0][0].bins[3] = 'x'))[0]).toMatch(
      /^sets\[0\]\.density\.histograms\[0\]\[0\]: expected \d+ bins of counts ≥ 0/,
    );
    expect(edit((r) => (r.sets[0].density.histograms[0][0].bins[3] = null))[0]).toMatch(
      /bins of counts/,
    );
    expect(edit((r) => (r.sets[0].samples[0].tokens = -3))).toContain(
      'sets[0].samples[0].tokens: not a positive integer',
    );
    expect(edit((r) => (r.sets[0].samples[0] = null))).toContain(
      'sets[0].samples[0]: not an object',
    );
  });

  it('sessions: duplicate set names and too many samples are refused', () => {
    const session = (sets: unknown) => ({
      schema: 'paramscope.session/1',
      sets,
      settings: { metric: 'grad_x_weight', threshold: 1e-6, maxTokens: 8 },
    });
    expect(
      validateSession(
        session([
          { name: 'a', samples: [] },
          { name: 'a', samples: [] },
        ]),
      ),
    ).toContain('sets[1].name: "a" names two sets');
    const many = new Array(RESULTS_BOUNDS.samplesPerSet + 1).fill({ text: 'x' });
    expect(validateSession(session([{ name: 'a', samples: many }]))[0]).toMatch(
      /^sets\[0\]\.samples: 100001 samples: at most 100000$/,
    );
    expect(validateSession(session([{ name: 'a', samples: [null] }]))).toContain(
      'sets[0].samples[0]: neither text nor tokens',
    );
  });
});
