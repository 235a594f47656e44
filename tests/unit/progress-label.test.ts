// The Run panel's progress line (src/engine/progress.ts): no "layer layer", minutes past 90 s.
import { describe, expect, it } from 'vitest';
import { formatSeconds, progressLabel } from '../../src/engine/progress';

describe('progressLabel', () => {
  it('says where the run is, how far, and how long is left', () => {
    expect(
      progressLabel({
        stage: 'layer',
        layer: 4,
        set: 'bible',
        sample: 0,
        fraction: 0.231,
        etaSeconds: 208.4,
      }),
    ).toBe('layer 4 · bible #0 23 % · 3 min 28 s left');
    expect(
      progressLabel({
        stage: 'forward',
        set: 'code',
        sample: 2,
        samples: 5,
        fraction: 0.05,
        etaSeconds: 12,
      }),
    ).toBe('forward · code #2 5 % · 12 s left');
    expect(progressLabel({ stage: 'density', layer: 7, set: 'code', fraction: 0.5 })).toBe(
      'density of layer 7 · code 50 %',
    );
    expect(progressLabel({ stage: 'done', fraction: 1, etaSeconds: 0 })).toBe('done 100 %');
    expect([formatSeconds(0.4), formatSeconds(89.4), formatSeconds(3725)]).toEqual([
      '0 s',
      '89 s',
      '62 min 05 s',
    ]);
  });
});
