// CI's adapters have no subgroup matrices: a kernel that uses them is compiled there with the
// matrix builtins stood in for by functions of the same shape (a vec4 for a matrix), so that a
// typo or type error fails CI instead of the first GPU call. The stand-ins compute nothing
// meaningful: the kernels' numbers are checked on real GPUs (`npm run bench -- --check`).

/**
 * `code` (with its `enable` lines or without) with every subgroupMatrixLoad / Store /
 * MultiplyAccumulate and matrix type replaced: one loader or storer per array it names.
 */
export function stubMatrices(code: string): string {
  const body = code
    .replace(/^(enable|requires) [^\n]*\n/gm, '')
    .replace(/subgroup_matrix_(left|right)<f16, 16, 16>/g, 'SmIn')
    .replace(/subgroup_matrix_result<f32, 16, 16>/g, 'SmOut');
  // `&a` (an array) or `&a[g]` (one slab of an array of arrays: the slab index is passed on)
  const loads = new Set<string>();
  const stores = new Set<string>();
  const slabs = new Set<string>();
  const target = (a: string, g: string | undefined) => {
    if (g) slabs.add(a);
    return g ? `${a}_slab(${g}, ` : `${a}(`;
  };
  const c = body
    .replace(
      /subgroupMatrixLoad<SmIn>\(&(\w+)(?:\[(\w+)\])?,/g,
      (_, a: string, g?: string) => (loads.add(a), `sm_load_${target(a, g)}`),
    )
    .replace(
      /subgroupMatrixStore\(&(\w+)(?:\[(\w+)\])?,/g,
      (_, a: string, g?: string) => (stores.add(a), `sm_store_${target(a, g)}`),
    )
    .replace(/subgroupMatrixMultiplyAccumulate\(/g, 'sm_mma(');
  const at = (a: string, o: string) => (slabs.has(a) ? `${a}[g][${o}]` : `${a}[${o}]`);
  const fn = (kind: string, a: string) =>
    slabs.has(a) ? `fn sm_${kind}_${a}_slab(g: u32, ` : `fn sm_${kind}_${a}(`;
  const fns = [
    ...[...loads].map(
      (a) =>
        `${fn('load', a)}o: u32, t: bool, s: u32) -> SmIn { return vec4<f16>(f16(${at(a, 'o')}), f16(${at(a, 'o + s')}), f16(select(0.0, 1.0, t)), 0.0h); }`,
    ),
    ...[...stores].map(
      (a) => `${fn('store', a)}o: u32, v: SmOut, t: bool, s: u32) { ${at(a, 'o + s')} = v.x; }`,
    ),
  ];
  return `enable f16;\nenable subgroups;\n${c}
alias SmIn = vec4<f16>;
alias SmOut = vec4f;
${fns.join('\n')}
fn sm_mma(x: SmIn, y: SmIn, c: SmOut) -> SmOut { return c + vec4f(x * y); }
`;
}
