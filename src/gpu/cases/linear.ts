// Op cases for shaders/linear.wgsl (and the f16 variants the context may pick): Y = X · Wᵀ and
// dX = dY · W over a quantized W, through whichever kernels the context picks.
import * as gpu from '../ops/linear';
import * as ref from '../../reference/linear';
import { randomTensorBytes } from '../../gguf/random-blocks';
import { GgmlType } from '../../gguf/types';
import type { LinearDims } from '../../model/shapes';
import { randomArray } from '../../util/random';
import { f32Scaled } from '../../util/tolerances';
import type { OpCase } from '../checks/opcheck';

/**
 * Forward and backward_input over a W of `type`. The twin: f32 (`f32`), or the f16 path's
 * (`f16`: operands rounded to f16, gradients scaled by F16_GRAD_SCALE first, f64 sums) — what a
 * context with the f16 option runs; gradients are then small (× 1e-5), some below f16's normal
 * range unscaled; `f16p`: the f16 twin within the packed kernel's bound (linearF16PackedTolerance:
 * what a context with options.f16Packed runs).
 */
export function linearCases(
  type: GgmlType,
  d: LinearDims,
  seed = 1,
  twin: 'f32' | 'f16' | 'f16p' = 'f32',
): OpCase[] {
  const bytes = randomTensorBytes(type, d.O * d.I, 100 + type);
  const weights = { W: { bytes, type, elements: d.O * d.I } };
  const tag = `${GgmlType[type]} (T=${d.T}, I=${d.I}, O=${d.O})${twin === 'f32' ? '' : ` vs the f16 twin${twin === 'f16p' ? ' within the packed bound' : ''}`}`;
  const dYscale = twin === 'f32' ? 1 : 1e-5;
  const [fwd, bwd] = [packedBound(twin === 'f16p'), packedBound(twin === 'f16p')];
  return [
    {
      name: `linear_forward ${tag}`,
      inputs: { X: randomArray(d.T * d.I, seed) },
      weights,
      outputs: { Y: d.T * d.O },
      reference: ({ X }) => {
        if (twin === 'f32') {
          const Y = new Float32Array(d.T * d.O);
          ref.linearForward(Y, X, bytes, type, d);
          return { Y };
        }
        const Y = new Float64Array(d.T * d.O);
        ref.linearForwardF16(Y, X, bytes, type, d);
        fwd.measure(X, bytes, type, d, false);
        return { Y: Float32Array.from(Y) };
      },
      gpu: (ctx, enc, b, w) => gpu.linearForward(ctx, enc, b.Y, b.X, w.W, d),
      tolerance: fwd.tolerance,
    },
    {
      name: `linear_backward_input ${tag}`,
      inputs: { dY: randomArray(d.T * d.O, seed + 1).map((v) => v * dYscale) },
      weights,
      outputs: { dX: d.T * d.I },
      reference: ({ dY }) => {
        if (twin === 'f32') {
          const dX = new Float32Array(d.T * d.I);
          ref.linearBackwardInput(dX, dY, bytes, type, d);
          return { dX };
        }
        const dX = new Float64Array(d.T * d.I);
        ref.linearBackwardInputF16(dX, dY, bytes, type, d, gpu.F16_GRAD_SCALE);
        bwd.measure(dY, bytes, type, d, true, gpu.F16_GRAD_SCALE);
        return { dX: Float32Array.from(dX) };
      },
      gpu: (ctx, enc, b, w) => gpu.linearBackwardInput(ctx, enc, b.dX, b.dY, w.W, d),
      tolerance: bwd.tolerance,
    },
  ];
}

/**
 * A linear case's tolerance: f32Scaled, plus — for the packed f16 kernel (`packed`) — its error
 * bound over the case's operands (linearF16PackedTolerance), which the reference step records
 * with `measure` before the comparison asks for `tolerance`.
 */
export function packedBound(packed: boolean) {
  let bound = 0;
  return {
    measure: (...args: Parameters<typeof ref.linearF16PackedTolerance>) => {
      if (packed) bound = ref.linearF16PackedTolerance(...args);
    },
    tolerance: (want: Float32Array) => {
      const t = f32Scaled(want);
      return { rel: t.rel, abs: t.abs + bound };
    },
  };
}
