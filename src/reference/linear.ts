// Reference twin of shaders/linear.wgsl: the weight decoded (src/gguf/dequant.ts), then the same
// loops as src/reference/matmul.ts.
import { dequantize } from '../gguf/dequant';
import type { GgmlType } from '../gguf/types';
import type { LinearDims } from '../model/shapes';
import { matmulBackwardInput, matmulForward } from './matmul';
import type { FloatArray } from './types';

export function linearForward(
  Y: FloatArray,
  X: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
): void {
  matmulForward(Y, X, dequantize(type, wBytes, d.O * d.I), d);
}

export function linearBackwardInput(
  dX: FloatArray,
  dY: FloatArray,
  wBytes: Uint8Array,
  type: GgmlType,
  d: LinearDims,
): void {
  matmulBackwardInput(dX, dY, dequantize(type, wBytes, d.O * d.I), d);
}
