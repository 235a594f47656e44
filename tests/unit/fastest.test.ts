// The fastest precision path per adapter (src/gpu/runtime/fastest.ts): f16 only on subgroup matrices.
import { describe, expect, it } from 'vitest';
import { fastestPath } from '../../src/gpu/runtime/fastest';
import { optionsFor, precisionLabel } from '../../src/gpu/runtime/context';

describe('fastestPath', () => {
  const adapter = (shaderF16: boolean, matrixF16: boolean) => ({
    isFallbackAdapter: false,
    architecture: 'test',
    description: 'test',
    features: { shaderF16, matrixF16 },
  });
  it('takes f16 on subgroup matrices where the adapter has them, f32 elsewhere, with the reason', () => {
    const cases: [boolean, boolean, string, RegExp][] = [
      [true, true, 'f16 (subgroup matrices)', /tensor cores/],
      [true, false, 'f32', /f16 without them, .* measured level with f32 on an H100, not faster$/],
      [false, false, 'f32', /no shader-f16/],
    ];
    for (const [f16, mm, label, why] of cases) {
      const pick = fastestPath({ shaderF16: f16, matrixF16: mm });
      expect(pick.label).toBe(label);
      expect(pick.why).toMatch(why);
      // the label is the path the app's options for that precision really take on this adapter
      expect(precisionLabel(optionsFor(adapter(f16, mm), pick.precision))).toBe(label);
    }
  });
});
