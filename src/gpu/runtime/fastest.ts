// The fastest precision path on an adapter and why, from what we measured: stock f32, f16 without
// subgroup matrices, f16 on them (bench/results/README.md, the three in one call on an H200,
// Llama-2-7B shape, Q4_0, T = 128: per sample lone 0.384 / 0.463 / 0.310 s, in a batch of 4
// 0.343 / 0.389 / 0.229 s). f16 without matrices was slower than f32 there (its f16 conversions
// cost more than the halved loads save); its packed-f16 linears (shaders/linear_f16p.wgsl) bring
// it level with f32 on an H100 (session 17: 24.7–27.6 against 23.6–28.0 TFLOP/s at M = 512), not
// ahead, so it is still not the pick.
import type { Precision } from './context';

export interface FastestPath {
  precision: Precision;
  /** the path, as precisionLabel names it */
  label: string;
  why: string;
}

export function fastestPath(features: { shaderF16: boolean; matrixF16: boolean }): FastestPath {
  if (features.matrixF16)
    return {
      precision: 'f16',
      label: 'f16 (subgroup matrices)',
      why: 'this adapter has f16 subgroup matrices (tensor cores): measured 1.2–1.5× faster than f32 on an H200 (results within 1e-2 of f32)',
    };
  return {
    precision: 'f32',
    label: 'f32',
    why: features.shaderF16
      ? 'no f16 subgroup matrices here, and f16 without them, on packed f16 linears, measured level with f32 on an H100, not faster'
      : 'this adapter has no shader-f16',
  };
}
