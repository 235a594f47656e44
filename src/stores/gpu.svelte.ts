// App state for WebGPU: the opened device and its summary, or why there is none.
import { openGpu, WebGpuUnavailableError, type Gpu } from '../gpu/runtime/device';

export type GpuState =
  | { status: 'pending' }
  | { status: 'ready'; gpu: Gpu }
  | { status: 'unavailable'; reason: string; message: string };

export const gpuState: { current: GpuState } = $state({ current: { status: 'pending' } });

let settle: () => void = () => {};
const settled = new Promise<void>((r) => (settle = r));

/** Resolves once WebGPU is ready or known to be unavailable. */
export function gpuSettled(): Promise<void> {
  return settled;
}

export async function initGpu(): Promise<void> {
  try {
    await openAndSet();
  } finally {
    settle();
  }
}

async function openAndSet(): Promise<void> {
  try {
    const gpu = await openGpu(navigator.gpu);
    gpu.device.lost.then((info) => {
      gpuState.current = {
        status: 'unavailable',
        reason: 'device-lost',
        message: `The GPU device was lost (${info.reason}): ${info.message.replace(/\.+$/, '')}.`,
      };
    });
    gpuState.current = { status: 'ready', gpu };
  } catch (e) {
    const reason = e instanceof WebGpuUnavailableError ? e.reason : 'error';
    gpuState.current = { status: 'unavailable', reason, message: (e as Error).message };
  }
}
