// The score's subgroup-matrix kernel (shaders/score_mm.wgsl with score_mm_store.wgsl,
// score_mm_score.wgsl or score_mm_fold.wgsl, src/gpu/ops/score.ts scoreMatrixCode): CI's adapters have no subgroup
// matrices, so it runs only on real GPUs (`npm run bench -- --precision f16 --check` compares it
// with its twin there); here both modules are compiled on lavapipe with the matrix builtins stood
// in for by functions of the same shape, so a typo or type error fails CI instead of the first
// GPU call.
import { describe, expect, it } from 'vitest';
import { f16Gpu } from '../helpers/f16';
import {
  SCORE_TILES,
  scoreMatrixCode,
  scoreTileBytes,
  type ScoreMmKind,
  type ScoreTileName,
} from '../../src/gpu/ops/score';
import { GgmlType } from '../../src/gguf/types';

function stubbed(code: string): string {
  const c = code
    .replace(/subgroup_matrix_(left|right)<f16, 16, 16>/g, 'SmIn')
    .replace(/subgroup_matrix_result<f32, 16, 16>/g, 'SmOut')
    .replace(/subgroupMatrixLoad<SmIn>\(&gs_(dy|x),/g, 'sm_load_$1(')
    .replace(/subgroupMatrixStore\(&(gs_c|g),/g, 'sm_store_$1(')
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'sm_mma(');
  const g = /var<storage, read_write> g:/.test(code);
  return `enable f16;\nenable subgroups;\n${c}
alias SmIn = vec4<f16>;
alias SmOut = vec4f;
fn sm_load_dy(o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(gs_dy[o], gs_dy[o + s], f16(select(0.0, 1.0, t)), 0.0h); }
fn sm_load_x(o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(gs_x[o], gs_x[o + s], f16(select(0.0, 1.0, t)), 0.0h); }
fn sm_store_gs_c(o: u32, v: SmOut, t: bool, s: u32) { gs_c[o + s] = v.x; }
${g ? 'fn sm_store_g(o: u32, v: SmOut, t: bool, s: u32) { g[o + s] = v.y; }' : ''}
fn sm_mma(x: SmIn, y: SmIn, c: SmOut) -> SmOut { return c + vec4f(x * y); }
`;
}

describe('the score kernel on subgroup matrices', () => {
  it('compiles on a CPU adapter with the matrix builtins stood in for (g stored, scored, folded)', async () => {
    const { device } = await f16Gpu();
    const tiles = Object.keys(SCORE_TILES) as ScoreTileName[];
    const kinds: ScoreMmKind[] = ['store', 'score', 'fold'];
    for (const tile of tiles)
      for (const kind of kinds) {
        const code = scoreMatrixCode(kind, tile);
        const scored = kind !== 'store';
        // the scored form writes A into the set's sums per block, the folded one once per batch
        expect(code.includes('acc[oo * dims.I + ii] = old[q] + A')).toBe(kind === 'score');
        expect(code.includes('acc[oo * dims.I + ii] = old[q] + sa[k * 8u + q]')).toBe(
          kind === 'fold',
        );
        expect(code.includes('fn g_sample(')).toBe(true);
        expect((code.match(/^\s*g_emit\(c\d\d,.*, (\d)u\);/gm) ?? []).length).toBe(8);
        const module = device.createShaderModule({ code: stubbed(code) });
        const info = await module.getCompilationInfo();
        const errors = info.messages.filter((m) => m.type === 'error');
        expect(errors.map((m) => `${tile} ${kind}:${m.lineNum}: ${m.message}`)).toEqual([]);
        // the pipeline only where the device allows the tile's workgroup memory
        if (device.limits.maxComputeWorkgroupStorageSize < scoreTileBytes(tile)) continue;
        for (const type of scored ? [GgmlType.Q4_0, GgmlType.F16, GgmlType.Q4_K] : [undefined]) {
          device.pushErrorScope('validation');
          device.createComputePipeline({
            layout: 'auto',
            compute: {
              module,
              entryPoint: 'score_grad_mm',
              constants: type ? { QTYPE: type } : {},
            },
          });
          const e = await device.popErrorScope();
          expect(e?.message, `${tile} ${kind} type ${type}`).toBeUndefined();
        }
      }
    // the default 41,984 bytes; the half tile's fits a 32 KiB device (lavapipe: compiled above)
    expect(scoreTileBytes('128x256')).toBe(41984);
    expect(scoreTileBytes('64x256')).toBeLessThanOrEqual(32768);
  }, 300_000);
});
