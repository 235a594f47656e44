// How much GPU memory Dawn takes per storage buffer of a given size, and whether destroy() gives
// it back (nvidia-smi, this process). On the H200: bash .gpucarry/enter.sh node bench/dawn-alloc.mjs
import { execFileSync } from 'node:child_process';
const webgpu = await import('webgpu');
Object.assign(globalThis, webgpu.globals);
const gpu = webgpu.create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
const device = await adapter.requestDevice({
  requiredLimits: {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  },
});
const used = () => {
  const out = execFileSync('nvidia-smi', [
    '--query-compute-apps=pid,used_memory',
    '--format=csv,noheader,nounits',
  ]).toString();
  const mine = out
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((x) => x.trim()))
    .filter(([p]) => Number(p) === process.pid);
  return mine.length ? Number(mine[0][1]) : NaN;
};
const settle = async () => {
  await device.queue.onSubmittedWorkDone();
  await new Promise((r) => setTimeout(r, 500));
  await device.queue.onSubmittedWorkDone();
};
const MiB = 2 ** 20;
const N = 64;
for (const size of [
  1 * MiB,
  2 * MiB,
  2 * MiB + 256,
  4 * MiB,
  4 * MiB + 256,
  8 * MiB,
  11.27 * MiB,
  16 * MiB,
  64 * MiB,
]) {
  const s = Math.ceil(size / 4) * 4;
  await settle();
  const before = used();
  const bufs = Array.from({ length: N }, () =>
    device.createBuffer({
      size: s,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    }),
  );
  const enc = device.createCommandEncoder();
  for (const b of bufs) enc.clearBuffer(b);
  device.queue.submit([enc.finish()]);
  await settle();
  const after = used();
  for (const b of bufs) b.destroy();
  await settle();
  const freed = used();
  console.log(
    `${(s / MiB).toFixed(4)} MiB × ${N}: +${after - before} MiB (${((after - before) / N).toFixed(2)} MiB each, asked ${(s / MiB).toFixed(2)}); after destroy ${freed - before >= 0 ? '+' : ''}${freed - before} MiB`,
  );
}
device.destroy();
process.exit(0);
