// Dispatch of shaders/add.wgsl. Reference twin: src/reference/add.ts.
import code from '../../../shaders/add.wgsl?raw';
import { grid, workgroupSize, type GpuContext } from '../runtime/context';

const [WG] = workgroupSize(code, 'add_forward');

/** out = a + b over n values. Overwrites out. */
export function addForward(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  a: GPUBuffer,
  b: GPUBuffer,
  n: number,
): void {
  const g = grid(n, WG);
  ctx.dispatch(
    enc,
    ctx.pipeline('add', code, 'add_forward'),
    { out, a, b, dims: ctx.uniform([n, g.x, 0, 0]) },
    [g.x, g.y],
  );
}

/** out += a over n values. Accumulates into out. */
export function addAccumulate(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  a: GPUBuffer,
  n: number,
): void {
  const g = grid(n, WG);
  ctx.dispatch(
    enc,
    ctx.pipeline('add', code, 'add_accumulate'),
    { out, a, dims: ctx.uniform([n, g.x, 0, 0]) },
    [g.x, g.y],
  );
}

/** out (rows, width) += bias (width) on every row. Accumulates into out. */
export function addBias(
  ctx: GpuContext,
  enc: GPUCommandEncoder,
  out: GPUBuffer,
  bias: GPUBuffer,
  rows: number,
  width: number,
): void {
  const n = rows * width;
  const g = grid(n, WG);
  ctx.dispatch(
    enc,
    ctx.pipeline('add', code, 'add_bias'),
    { out, a: bias, dims: ctx.uniform([n, g.x, width, 0]) },
    [g.x, g.y],
  );
}
