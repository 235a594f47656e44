// WGSL's bounds rule in the inner loops of the f32 kernels (what a stock browser runs): Tint clamps
// every workgroup index it cannot prove in range; the tiled linear's and score's inner loops index
// their vec4 stages with the local invocation id clamped once (min) and a constant-bounded loop
// counter, so Tint proves those reads in range and adds no clamp (H100: stock f32 per sample
// 0.320 → 0.287 s, bench/results/README.md, session 22). This test reads Tint's SPIR-V (Dawn's
// dump_shaders, in a child process) and counts the accesses into vec4 workgroup arrays whose index
// is a min (a clamp), with the bounds rule and without it: the difference is what Tint added.
import { describe, expect, it } from 'vitest';
import { tsEntry } from '../helpers/cli';

/** Tint's SPIR-V disassembly of the kernel `which` compiles (tests/helpers/dump-spirv.ts). */
async function spirvOf(which: string, robustness: boolean): Promise<string> {
  const args = [which, ...(robustness ? [] : ['norob'])];
  const { stdout } = await tsEntry('tests/helpers/dump-spirv.ts', args);
  const parts = stdout.split('Dumped SPIRV disassembly');
  if (parts.length !== 2)
    throw new Error(`dump-spirv ${which}: ${parts.length - 1} modules dumped`);
  return parts[1];
}

/** Access chains into vec4 workgroup arrays with an index that is the result of a UMin (a clamp). */
function clampedVec4WorkgroupAccesses(spirv: string): number {
  const umin = new Set<string>();
  let n = 0;
  for (const line of spirv.split('\n')) {
    const m = /^\s*(%\w+) = (\w+) (%\w+) (.*)$/.exec(line);
    if (!m) continue;
    const [, id, op, type, rest] = m;
    if (op === 'OpExtInst' && / UMin /.test(` ${rest} `)) umin.add(id);
    if (op === 'OpAccessChain' && /_ptr_Workgroup_v4(float|half)/.test(type)) {
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

/** Clamps WGSL's bounds rule adds to the vec4 workgroup accesses of kernel `which`. */
async function addedClamps(which: string): Promise<number> {
  const [on, off] = await Promise.all([spirvOf(which, true), spirvOf(which, false)]);
  expect(on).toMatch(/OpAccessChain %_ptr_Workgroup_v4float/);
  return clampedVec4WorkgroupAccesses(on) - clampedVec4WorkgroupAccesses(off);
}

describe("WGSL's bounds rule in the f32 kernels' inner loops", () => {
  it('the tiled linear clamps only its two stage stores, not the inner loop reads', async () => {
    expect(await addedClamps('linear-tiled')).toBe(2);
  }, 60_000);

  it("the tiled score's gradient tile clamps none of its stage reads and stores", async () => {
    expect(await addedClamps('score-tiled')).toBe(0);
  }, 60_000);
});
