// The saved session's shape (`paramscope.session/1`, the app's "Save session" and its cache entry)
// as a valibot schema, bounded like the results document (src/analysis/results-schema.ts): every
// count a file claims checked before its items. Set names unique and the embedded results document
// are checked after it (src/stores/persist.ts validateSession).
import * as v from 'valibot';
import { bounded, RESULTS_BOUNDS } from '../analysis/results-schema';
import { METRICS } from '../analysis/metrics';

const B = RESULTS_BOUNDS;

const sample = v.custom<{ source: string; text?: string; tokens?: number[] }>((x) => {
  const s = x as { source?: unknown; text?: unknown; tokens?: unknown };
  if (typeof s !== 'object' || s === null) return false;
  if (s.source !== undefined && typeof s.source !== 'string') return false;
  if (typeof s.text === 'string') return true;
  return (
    Array.isArray(s.tokens) &&
    s.tokens.length <= B.tokens &&
    s.tokens.every((t) => Number.isInteger(t) && t >= 0)
  );
}, 'neither text nor tokens');

export const SessionSchema = v.object(
  {
    schema: v.literal('paramscope.session/1', 'expected "paramscope.session/1"'),
    savedAt: v.optional(v.string('not a string')),
    model: v.optional(
      v.nullable(v.object({ name: v.string(), file: v.string() }, 'not an object')),
    ),
    sets: bounded(
      v.object(
        {
          name: v.pipe(v.string('not a name'), v.minLength(1, 'not a name')),
          color: v.optional(v.string('not a string')),
          samples: bounded(sample, B.samplesPerSet, 'samples'),
        },
        'not an object',
      ),
      B.sets,
      'sets',
    ),
    settings: v.object(
      {
        metric: v.picklist(METRICS, `one of ${METRICS.join(', ')}`),
        precision: v.optional(v.picklist(['f32', 'f16'], 'f32 or f16')),
        threshold: v.pipe(
          v.number('not a non-negative number'),
          v.finite('not a non-negative number'),
          v.minValue(0, 'not a non-negative number'),
        ),
        maxTokens: v.pipe(
          v.number('not a positive integer'),
          v.integer('not a positive integer'),
          v.minValue(1, 'not a positive integer'),
        ),
        samplesPerSet: v.optional(v.number('not a number')),
        txtSplit: v.optional(v.string('not a string')),
        gamma: v.optional(v.object({ log10: v.number(), chosen: v.boolean() }, 'not an object')),
        pairing: v.optional(v.picklist(['paper', 'matrix', 'none'], 'paper, matrix or none')),
        pairA: v.optional(v.string('not a string')),
        pairB: v.optional(v.string('not a string')),
        skipped: v.optional(bounded(v.string('not a string'), B.sets)),
      },
      'not an object',
    ),
    excluded: v.optional(bounded(v.number('not a layer'), B.layers)),
    results: v.optional(v.nullable(v.unknown())),
  },
  'not an object',
);
