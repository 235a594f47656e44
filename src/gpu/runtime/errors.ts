// WebGPU errors during a run fail the run. Errors of commands (validation — e.g. a buffer
// destroyed under the run —, out-of-memory, internal) are reported asynchronously and never throw
// by themselves: they are caught in error scopes around the whole run; a device lost meanwhile
// ends it at once. A run that saw any of them throws GpuRunError and returns nothing.
import { oneLine } from '../../util/message';

export class GpuRunError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'GpuRunError';
  }
}

const SCOPES: GPUErrorFilter[] = ['internal', 'out-of-memory', 'validation'];

const lostError = (what: string, info: GPUDeviceLostInfo) =>
  new GpuRunError(`${what} failed: the GPU device was lost (${info.reason}): ${info.message}`);

/** Runs `fn` inside error scopes of `device`; throws GpuRunError for any GPU error it caused. */
export async function withGpuErrors<T>(
  device: GPUDevice,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  for (const s of SCOPES) device.pushErrorScope(s);
  let lostInfo: GPUDeviceLostInfo | null = null;
  let onLost: (() => void) | null = null;
  const lostNow = new Promise<never>((_, reject) => {
    onLost = () => reject(lostError(what, lostInfo!));
  });
  void device.lost.then((info) => {
    lostInfo = info;
    onLost?.();
  });
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = await Promise.race([fn(), lostNow]);
  } catch (e) {
    thrown = e;
    // a lost device also fails the run's own awaits (a readback rejects with an AbortError),
    // sometimes before it is reported: wait a moment for device.lost before taking the error as
    // it is (a cancel among them)
    if (!(e instanceof GpuRunError))
      await Promise.race([device.lost, new Promise((r) => setTimeout(r, 50))]);
    if (lostInfo) thrown = lostError(what, lostInfo);
  } finally {
    onLost = null;
  }
  // popped in reverse order of the pushes: validation, out-of-memory, internal
  const errors: { kind: GPUErrorFilter; error: GPUError }[] = [];
  for (const kind of [...SCOPES].reverse()) {
    const error = await device.popErrorScope().catch(() => null);
    if (error) errors.push({ kind, error });
  }
  if (thrown instanceof GpuRunError) throw thrown;
  if (errors.length > 0) {
    const { kind, error } = errors[0];
    throw new GpuRunError(`${what} failed: WebGPU ${kind} error: ${error.message}`);
  }
  if (thrown) throw thrown;
  return result as T;
}
