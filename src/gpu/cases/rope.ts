// Op cases for shaders/rope.wgsl: adjacent pairs rotated in place, forward and backward, with
// partial rotation (ropeDims < headDim), and a stack of sequences (a batch's rows, `stride`).
import * as gpu from '../ops/rope';
import * as ref from '../../reference/rope';
import { randomArray } from '../../util/random';
import type { OpCase } from '../checks/opcheck';

export function ropeCases(d: ref.RopeDims, seed = 1): OpCase[] {
  const x = randomArray(d.T * d.heads * d.headDim, seed);
  const stack = d.stride ? `, stride=${d.stride}` : '';
  const tag = `(T=${d.T}, heads=${d.heads}, headDim=${d.headDim}, ropeDims=${d.ropeDims}${stack})`;
  const kase = (dir: 'forward' | 'backward'): OpCase => ({
    name: `rope_${dir} ${tag}`,
    // the table ropeTableBuffer uploads
    inputs: { table: Float32Array.from(ref.ropeTable(ref.ropePositions(d), d)) },
    outputs: { x: x.slice() },
    reference: () => {
      const y = x.slice();
      (dir === 'forward' ? ref.ropeForward : ref.ropeBackward)(y, d);
      return { x: y };
    },
    gpu: (ctx, enc, b) =>
      (dir === 'forward' ? gpu.ropeForward : gpu.ropeBackward)(ctx, enc, b.x, b.table, d),
  });
  return [kase('forward'), kase('backward')];
}
