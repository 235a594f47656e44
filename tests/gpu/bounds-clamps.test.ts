// WGSL's bounds rule in the inner loops of the f32 kernels (what a stock browser runs): Tint clamps
// every workgroup index it cannot prove in range; the tiled linear's and score's inner loops index
// their vec4 stages with the local invocation id clamped once (min) and a constant-bounded loop
// counter, so Tint proves those reads in range and adds no clamp (H100: stock f32 per sample
// 0.320 → 0.287 s, bench/results/README.md, session 22). This test reads Tint's SPIR-V (Dawn's
// dump_shaders, in a child process) and counts the accesses into vec4 workgroup arrays whose index
// is a min (a clamp), with the bounds rule and without it: the difference is what Tint added. The
// block attention's dot products run to a constant bound with a break at the head dimension, for
// the same reason.
import { describe, expect, it } from 'vitest';
import { tsEntry } from '../helpers/cli';

/**
 * Tint's SPIR-V disassembly of the `modules` pipelines that kernel `which` compiles
 * (tests/helpers/dump-spirv.ts), one after the other.
 */
async function spirvOf(which: string, robustness: boolean, modules: number): Promise<string> {
  const args = [which, ...(robustness ? [] : ['norob'])];
  const { stdout } = await tsEntry('tests/helpers/dump-spirv.ts', args);
  const parts = stdout.split('Dumped SPIRV disassembly');
  if (parts.length !== modules + 1)
    throw new Error(`dump-spirv ${which}: ${parts.length - 1} modules dumped, not ${modules}`);
  return parts.slice(1).join('\n');
}

/**
 * Access chains into workgroup arrays of `element` (v4float: the f32 kernels' vec4 stages; float:
 * the block attention's scalar stages) with an index that is the result of a UMin (a clamp).
 */
function clampedWorkgroupAccesses(spirv: string, element = 'v4(float|half)'): number {
  const pointer = new RegExp(`_ptr_Workgroup_${element}$`);
  const umin = new Set<string>();
  let n = 0;
  for (const line of spirv.split('\n')) {
    const m = /^\s*(%\w+) = (\w+) (%\w+) (.*)$/.exec(line);
    if (!m) continue;
    const [, id, op, type, rest] = m;
    if (op === 'OpExtInst' && / UMin /.test(` ${rest} `)) umin.add(id);
    if (op === 'OpAccessChain' && pointer.test(type)) {
      if (
        rest
          .split(/\s+/)
          .slice(1)
          .some((a) => umin.has(a))
      )
        n++;
    }
  }
  return n;
}

/** Clamps WGSL's bounds rule adds to the workgroup accesses of `element` of kernel `which`. */
async function addedClamps(which: string, modules = 1, element = 'v4float'): Promise<number> {
  const [on, off] = await Promise.all([
    spirvOf(which, true, modules),
    spirvOf(which, false, modules),
  ]);
  expect(on).toMatch(new RegExp(`OpAccessChain %_ptr_Workgroup_${element}\\b`));
  return clampedWorkgroupAccesses(on, element) - clampedWorkgroupAccesses(off, element);
}

describe("WGSL's bounds rule in the f32 kernels' inner loops", () => {
  it('the tiled linear clamps only its two stage stores, not the inner loop reads', async () => {
    expect(await addedClamps('linear-tiled')).toBe(2);
  }, 60_000);

  it("the tiled score's gradient tile clamps none of its stage reads and stores", async () => {
    expect(await addedClamps('score-tiled')).toBe(0);
  }, 60_000);

  it("the block attention's dot loops read their stages unclamped (only the stage stores are)", async () => {
    // forward, delta, backward-query, backward-kv: 3 clamped stores (blk_put's `at`, a helper's
    // parameter) in each block kernel; with the dots' loops to dims.Dh, 5 each
    expect(await addedClamps('attention-blk', 4, 'float')).toBe(9);
  }, 60_000);
});
