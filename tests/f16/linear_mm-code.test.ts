// The matrix kernel's code for every tile of MATRIX_TILES (src/gpu/ops/linear.ts matrixCode): CI's
// adapters have no subgroup matrices, so the kernels run only on real GPUs (`npm run bench --
// --check`); here every generated source is checked as far as a CPU adapter can — its unrolled
// matrices complete, and the whole WGSL (with the subgroup-matrix builtins stood in for by
// functions of the same shape) compiling on lavapipe, so a typo or type error in the kernel
// fails CI instead of the first GPU call.
import { describe, expect, it } from 'vitest';
import { f16Gpu } from '../helpers/f16';
import {
  MATRIX_TILE_ORDER,
  MATRIX_TILES,
  matrixCode,
  matrixTileBytes,
  matrixTileShape,
  type MatrixTile,
  type MatrixTileName,
} from '../../src/gpu/ops/linear';
import f16Code from '../../shaders/linear_f16.wgsl?raw';
import { withQuant } from '../../src/gpu/ops/quant';

const TILES = Object.keys(MATRIX_TILES) as MatrixTileName[];

/** The kernel with the subgroup-matrix types and builtins as plain functions of the same shape. */
function stubbed(code: string): string {
  const c = code
    .replace(/subgroup_matrix_(left|right)<f16, 16, 16>/g, 'SmIn')
    .replace(/subgroup_matrix_result<f32, 16, 16>/g, 'SmOut')
    .replace(/subgroupMatrixLoad<SmIn>\(&ms,/g, 'sm_load(')
    .replace(/subgroupMatrixLoad<SmIn>\(&(a16|w16),/g, 'sm_load_$1(')
    .replace(/subgroupMatrixLoad<SmIn>\(&(sa|sb)\[(\w+)\],/g, 'sm_load_$1($2, ')
    .replace(/subgroupMatrixStore\(&ms,/g, 'sm_store_ms(')
    .replace(/subgroupMatrixStore\(&mc,/g, 'sm_store_wg(')
    .replace(/subgroupMatrixStore\(&out,/g, 'sm_store_out(')
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'sm_mma(');
  // the kernels read packed operands from storage (a16, w16) and/or staged chunks (ms)
  const packed = code.includes('a16: array<f16>');
  const staged = code.includes('var<workgroup> ms');
  const slabs = code.includes('var<workgroup> sa');
  const stubs = [
    packed &&
      `fn sm_load_a16(o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(a16[o], a16[o + s], f16(select(0.0, 1.0, t)), 0.0h); }
fn sm_load_w16(o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(w16[o], w16[o + s], f16(select(0.0, 1.0, t)), 0.0h); }`,
    staged &&
      `fn sm_load(o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(ms[o], ms[o + s], f16(select(0.0, 1.0, t)), 0.0h); }
fn sm_store_ms(o: u32, v: SmIn, t: bool, s: u32) { ms[o + s] = v.x; }`,
    slabs &&
      `fn sm_load_sa(g: u32, o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(sa[g][o], sa[g][o + s], f16(select(0.0, 1.0, t)), 0.0h); }
fn sm_load_sb(g: u32, o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(sb[g][o], sb[g][o + s], f16(select(0.0, 1.0, t)), 0.0h); }`,
  ]
    .filter(Boolean)
    .join('\n');
  const direct = /^struct Dims/m.test(code); // the packed kernels declare their own bindings
  return `enable f16;\nenable subgroups;\n${direct ? c : withQuant(`${f16Code}\n${c}`)}
alias SmIn = vec4<f16>;
alias SmOut = vec4f;
${stubs}
fn sm_store_wg(o: u32, v: SmOut, t: bool, s: u32) { mc[o + s] = v.x; }
fn sm_store_out(o: u32, v: SmOut, t: bool, s: u32) { out[o + s] = v.y; }
fn sm_mma(x: SmIn, y: SmIn, c: SmOut) -> SmOut { return c + vec4f(x * y); }
`;
}

describe('the matrix kernel of each tile', () => {
  it('declares, multiplies, stores and emits each of its FR × FC matrices once per use', () => {
    for (const t of TILES) {
      const code = matrixCode(t);
      const tile: MatrixTile = MATRIX_TILES[t];
      const { FR, FC, direct } = tile;
      const copy = tile.COPY === 1;
      const pipe = tile.PIPE === 1;
      expect(code, t).not.toMatch(/^\s*\/\/@/m);
      const count = (re: RegExp | string) =>
        (code.match(typeof re === 'string' ? new RegExp(re, 'g') : re) ?? []).length;
      expect(count(/var c_\d+_\d+ = subgroup_matrix_result/g), t).toBe(FR * FC);
      // the slab kernel writes out both 16-wide steps of its chunk for each direction
      const steps = tile.SLAB === 1 ? 2 * (tile.BK / 16) : 1;
      expect(count(/= subgroupMatrixMultiplyAccumulate\(a\d+, b\d+, c_\d+_\d+\)/g), t).toBe(
        FR * FC * steps,
      );
      expect(count(/subgroupMatrixStore\(&out, at \+/g), t).toBe(FR * FC);
      expect(count(`${direct ? 'mmd' : 'mm'}_emit\\(c_\\d+_\\d+,`), t).toBe(FR * FC);
      const right = direct && !copy ? 'mmd_right' : 'mm_right';
      if (pipe) {
        // loaded once before the loop, then one step ahead in it
        expect(count(/var a\d+ = subgroupMatrixLoad/g), t).toBe(FR);
        expect(count(/let na\d+ = subgroupMatrixLoad/g), t).toBe(FR);
        expect(count(`var b\\d+ = ${right}`), t).toBe(FC);
        expect(count(`let nb\\d+ = ${right}`), t).toBe(FC);
      } else if (tile.SLAB === 1) {
        // every load at a literal offset and stride into the subgroup's slab
        expect(
          count(/let a\d+ = subgroupMatrixLoad<[^>]+>>\(&sa\[ga\], \d+u, false, \d+u\)/g),
          t,
        ).toBe(FR * steps);
        expect(
          count(/let b\d+ = subgroupMatrixLoad<[^>]+>>\(&sb\[gb\], \d+u, (true|false), \d+u\)/g),
          t,
        ).toBe(FC * steps);
      } else {
        expect(count(/let a\d+ = subgroupMatrixLoad/g), t).toBe(FR);
        expect(count(`let b\\d+ = ${right}`), t).toBe(FC);
      }
    }
    // the default tile and its fallbacks are ever smaller, all within WebGPU's 48 KiB at most
    const bytes = MATRIX_TILE_ORDER.map(matrixTileBytes);
    expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
    expect(Math.max(...TILES.map(matrixTileBytes))).toBeLessThanOrEqual(48 * 1024);
    expect(matrixTileShape('128x256')).toEqual({ rows: 128, cols: 256 });
  });

  it('compiles on a CPU adapter with the matrix builtins stood in for (every tile)', async () => {
    const { device } = await f16Gpu();
    for (const t of TILES) {
      const module = device.createShaderModule({ code: stubbed(matrixCode(t)) });
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      expect(errors.map((m) => `${t}:${m.lineNum}: ${m.message}`)).toEqual([]);
      if (matrixTileBytes(t) > device.limits.maxComputeWorkgroupStorageSize) continue;
      const tile: MatrixTile = MATRIX_TILES[t];
      const kernel = tile.VEC === 1 ? 'mmv' : tile.COPY === 1 ? 'mmc' : tile.direct ? 'mmd' : 'mm';
      for (const dir of ['forward', 'backward_input']) {
        const entryPoint = `linear_${dir}_${kernel}`;
        device.pushErrorScope('validation');
        device.createComputePipeline({
          layout: 'auto',
          compute: { module, entryPoint, constants: tile.direct ? {} : { QTYPE: 2 } },
        });
        const e = await device.popErrorScope();
        expect(e?.message, `${t} ${entryPoint}`).toBeUndefined();
      }
    }
  }, 600_000);
});
