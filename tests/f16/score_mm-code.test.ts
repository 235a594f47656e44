// The score's subgroup-matrix kernel (shaders/score_mm.wgsl with score_mm_store.wgsl,
// score_mm_score.wgsl or score_mm_fold.wgsl, src/gpu/ops/score.ts scoreMatrixCode): CI's adapters have no subgroup
// matrices, so it runs only on real GPUs (`npm run bench -- --precision f16 --check` compares it
// with its twin there); here both modules are compiled on lavapipe with the matrix builtins stood
// in for by functions of the same shape, so a typo or type error fails CI instead of the first
// GPU call.
import { describe, expect, it } from 'vitest';
import { f16Gpu } from '../helpers/f16';
import { stubMatrices } from '../helpers/matrix-stub';
import {
  SCORE_TILES,
  scoreMatrixCode,
  scoreTileBytes,
  type ScoreMmKind,
  type ScoreTileName,
} from '../../src/gpu/ops/score';
import { GgmlType } from '../../src/gguf/types';

describe('the score kernel on subgroup matrices', () => {
  it('compiles on a CPU adapter with the matrix builtins stood in for (g stored, scored, folded)', async () => {
    const { device } = await f16Gpu();
    const tiles = Object.keys(SCORE_TILES) as ScoreTileName[];
    const kinds: ScoreMmKind[] = ['store', 'score', 'fold'];
    for (const tile of tiles)
      for (const kind of kinds) {
        // the operands packed to f16 first (options.scoreF16Operands): staged 16 bytes at a time
        // (shaders/score_mm_stage16.wgsl); else from f32 (score_mm_stage.wgsl)
        const h = scoreMatrixCode(kind, tile, true);
        expect(h.includes('var<storage, read> dy: array<vec4u>;')).toBe(true);
        expect(scoreMatrixCode(kind, tile).includes('var<storage, read> dy: array<f32>;')).toBe(
          true,
        );
        const hm = device.createShaderModule({ code: stubMatrices(h) });
        const herr = (await hm.getCompilationInfo()).messages.filter((m) => m.type === 'error');
        expect(herr.map((m) => `${tile} ${kind} f16 operands:${m.lineNum}: ${m.message}`)).toEqual(
          [],
        );
        const code = scoreMatrixCode(kind, tile);
        const scored = kind !== 'store';
        // the scored form writes A into the set's sums per block, the folded one once per batch
        expect(code.includes('acc[oo * dims.I + ii] = old[q] + A')).toBe(kind === 'score');
        expect(code.includes('acc[oo * dims.I + ii] = old[q] + sa[k * 8u + q]')).toBe(
          kind === 'fold',
        );
        expect(code.includes('fn g_sample(')).toBe(true);
        // every result matrix emitted (the NB = 2 tiles' calls for c02, c03, c12, c13 under NB == 4)
        expect((code.match(/^\s*g_emit\(c\d\d, whole,.*\);/gm) ?? []).length).toBe(8);
        expect(code.includes(`const NB: u32 = ${SCORE_TILES[tile].NB}u;`)).toBe(true);
        // every matrix access to workgroup memory goes through a subgroup's own slab or slot at an
        // offset that is constant once the 16-wide steps are unrolled (WGSL's bounds rule then adds
        // no branch on the array's length around it)
        const wgAccess = [
          ...code.matchAll(/subgroupMatrix(?:Load<[^>]*>>|Store)\((&gs_[^,]*), ([^,]*),/g),
        ];
        expect(wgAccess.length).toBeGreaterThan(0);
        for (const [, ptr, offset] of wgAccess) {
          expect(ptr).toMatch(/^&gs_(dy\[gr\]|x\[gc\]|c\[sg\])$/);
          expect(offset).toMatch(/^(0u|ks \* S[OI](?: \+ \d+u)?)$/);
        }
        const module = device.createShaderModule({ code: stubMatrices(code) });
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
    // slabs of 32 tokens × (32 + 8) halves of dY and × (16 · NB + 8) of X, 1 KiB slots: the
    // default 45,056 bytes; the half tile's fits a 32 KiB device (lavapipe: compiled above)
    expect(scoreTileBytes('128x256')).toBe(4 * 32 * 40 * 2 + 4 * 32 * 72 * 2 + 16 * 1024);
    expect(scoreTileBytes('64x256')).toBeLessThanOrEqual(32768);
    expect(scoreTileBytes('128x128')).toBe(4 * 32 * 40 * 2 + 4 * 32 * 40 * 2 + 16 * 1024);
  }, 300_000);
});
