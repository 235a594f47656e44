// shaders/linear.wgsl (src/gpu/ops/linear.ts) vs its twin src/reference/linear.ts (cases:
// src/gpu/cases/linear.ts): forward and
// backward_input over quantized weights, on sizes that are not multiples of the tiles.
// What each weight type adds is its 8-element decoder (w_b8 in shaders/quant.wgsl, shared by all
// tiled kernels) and its block size in the staging; so every type runs through the simple kernel
// and through the tiled kernel with 64 × 64 tiles, and the default shape (128 × 128: the same
// WGSL with another tile width, about twice its compile time) on one type per block size (1 with
// 4- and 2-byte elements, 32, 256). Each tiled case covers
// partial tiles and split-K (a long reduction over few tiles) with the same pipelines: the
// shader compiles are what these tests cost on a software adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testContext } from '../helpers/gpu';
import { GpuContext } from '../../src/gpu/runtime/context';
import { GPU_WEIGHT_TYPES } from '../../src/gpu/ops/quant';
import * as g from '../../src/gpu/ops/linear';
import { linearCases } from '../../src/gpu/cases/linear';
import { checkOp } from '../../src/gpu/checks/opcheck';
import { BLOCK, GgmlType } from '../../src/gguf/types';
import type { LinearDims } from '../../src/model/shapes';
import { F32_OP } from '../../src/util/tolerances';

/** One type per block size for the 128 × 128 tiles: 1 (f32, bf16), 32, 256. */
const BLOCK_SIZE_TYPES = [GgmlType.F32, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_K];

type Kind = 'simple' | 'tiled64' | 'tiled128';

/** Output tiles left partial (and, for the block types, several blocks along a row). */
function partialDims(kind: Kind, bl: number): LinearDims {
  if (kind === 'simple') return { T: 5, I: bl === 1 ? 37 : bl * 2, O: 19 };
  if (kind === 'tiled64') return { T: 70, I: bl === 1 ? 45 : bl * 3, O: 67 };
  return { T: 130, I: bl === 1 ? 45 : bl * (bl === 256 ? 1 : 5), O: 133 };
}

/** Few tiles over a long reduction, forward and backward: split over K. */
function splitDims(bl: number): LinearDims {
  return { T: 5, I: bl === 256 ? 768 : 640, O: 600 };
}

describe('linear on the GPU', () => {
  let ctx: GpuContext;
  beforeAll(async () => (ctx = await testContext()));
  afterAll(() => ctx?.device.destroy());

  async function check(kctx: GpuContext, t: GgmlType, d: LinearDims, label: string) {
    for (const c of linearCases(t, d)) {
      const r = await checkOp(kctx, c, F32_OP);
      expect(r.ok, `${label}: ${r.report}`).toBe(true);
    }
  }

  const cases: [Kind, GgmlType][] = [
    ...GPU_WEIGHT_TYPES.map((t): [Kind, GgmlType] => ['simple', t]),
    ...GPU_WEIGHT_TYPES.map((t): [Kind, GgmlType] => ['tiled64', t]),
    ...BLOCK_SIZE_TYPES.map((t): [Kind, GgmlType] => ['tiled128', t]),
  ];
  for (const [kind, t] of cases) {
    const tiled = kind !== 'simple';
    it(`linear (${kind}) forward and backward_input over ${GgmlType[t]} weights${tiled ? ', partial tiles and split-K' : ''}`, async () => {
      const side = kind === 'tiled64' ? 64 : 128;
      const kctx = new GpuContext(ctx.device, { tiledLinear: tiled, linearTile: side });
      const bl = BLOCK[t]!.elements;
      await check(kctx, t, partialDims(kind, bl), 'partial tiles');
      if (!tiled) return;
      const d = splitDims(bl);
      expect(g.splitK(d.T, d.O, d.I, undefined, side, side).splits).toBeGreaterThan(1);
      expect(g.splitK(d.T, d.I, d.O, undefined, side, side).splits).toBeGreaterThan(1);
      await check(kctx, t, d, 'split-K');
    });
  }
});
