// What the dispatch code reads from the shaders instead of writing it twice: binding numbers by
// variable name (bindingsOf), workgroup sizes (workgroupSize), and tile constants declared in one
// place (withConstants).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bindingsOf, withConstants, workgroupSize } from '../../src/gpu/runtime/context';

const shader = (name: string) =>
  readFileSync(new URL(`../../shaders/${name}.wgsl`, import.meta.url), 'utf8');

describe('shader declarations', () => {
  it('binding numbers by name', () => {
    expect([...bindingsOf(shader('rmsnorm'))]).toEqual([
      ['out', 0],
      ['rstd', 1],
      ['x', 2],
      ['w', 3],
      ['dy', 4],
      ['dims', 5],
    ]);
    expect(bindingsOf(shader('score')).get('xnb')).toBe(9);
  });

  it('workgroup sizes: literals, 2-D, and consts of the source', () => {
    expect(workgroupSize(shader('add'), 'add_forward')).toEqual([64, 1, 1]);
    expect(workgroupSize(shader('matmul'), 'matmul_backward_weight')).toEqual([16, 16, 1]);
    expect(workgroupSize(shader('rmsnorm'), 'rmsnorm_forward')).toEqual([256, 1, 1]);
    const tiled = withConstants(shader('linear'), { TW: 16 });
    expect(workgroupSize(tiled, 'linear_forward_tiled')).toEqual([16, 16, 1]);
    // the prefix of another entry point's name is not that entry point
    expect(() => workgroupSize(shader('add'), 'add')).toThrow(/no @compute/);
    expect(() => workgroupSize(shader('linear'), 'linear_forward_tiled')).toThrow(/TW/);
  });

  it('constants are declared once, as u32', () => {
    expect(withConstants('fn f() {}', { TW: 8, NSG: 16 })).toBe(
      'const TW: u32 = 8u;\nconst NSG: u32 = 16u;\nfn f() {}',
    );
    expect(() => withConstants('', { TW: 2.5 })).toThrow(/not a u32/);
  });
});
