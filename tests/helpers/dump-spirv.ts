// Child process of tests/gpu/bounds-clamps.test.ts: compiles one kernel with Dawn's dump_shaders
// toggle, so that Tint's SPIR-V (after WGSL's bounds rule, the robustness transform) is printed on
// this process's output. Arguments: linear-tiled | score-tiled | attention-blk (the block
// attention's forward and backward: several modules), then `norob` for the same compiled without
// the bounds rule (Dawn's disable_robustness).
import { GpuContext } from '../../src/gpu/runtime/context';
import { openNodeGpu } from '../../src/gpu/runtime/node';
import { linearForward } from '../../src/gpu/ops/linear';
import { scoreReduce } from '../../src/gpu/ops/score';
import { attentionBackward, attentionForward } from '../../src/gpu/ops/attention';
import { GgmlType } from '../../src/gguf/types';
import type { GpuWeight } from '../../src/gpu/ops/quant';

const norob = process.argv[3] === 'norob' ? ',disable_robustness' : '';
const { gpu } = await openNodeGpu({ toggles: [`enable-dawn-features=dump_shaders${norob}`] });
const { device } = gpu;
const which = process.argv[2];
const ctx = new GpuContext(device, { tiledLinear: true, tiledScore: true });
const d = { T: 32, I: 128, O: 128 };
const W: GpuWeight = { buffer: ctx.storage(d.O * d.I * 4), type: GgmlType.F32 } as GpuWeight;
const [X, Y] = [ctx.storage(d.T * d.I * 4), ctx.storage(d.T * d.O * 4)];
const enc = device.createCommandEncoder();
if (which === 'linear-tiled') linearForward(ctx, enc, Y, X, W, d);
else if (which === 'score-tiled') {
  const [acc, partials] = [ctx.storage(d.O * d.I * 4), ctx.storage(1 << 16)];
  scoreReduce(ctx, enc, acc, partials, Y, X, W, ctx.storage(d.I * 4), d, 'grad_x_weight', true);
} else if (which === 'attention-blk') {
  const a = { T: 32, H: 2, Hkv: 2, Dh: 64 };
  const b = () => ctx.storage(a.T * a.H * a.Dh * 4);
  const [o, q, k, v, dq, dk, dv, dout] = [b(), b(), b(), b(), b(), b(), b(), b()];
  const [lse, delta] = [ctx.storage(a.H * a.T * 4), ctx.storage(a.H * a.T * 4)];
  attentionForward(ctx, enc, o, lse, q, k, v, a);
  attentionBackward(ctx, enc, dq, dk, dv, delta, dout, q, k, v, o, lse, a);
} else throw new Error(`dump-spirv: ${which}?`);
ctx.endPass(enc);
device.queue.submit([enc.finish()]);
await device.queue.onSubmittedWorkDone();
process.exit(0);
