// Weights on the GPU stay in their GGUF bytes; kernels that read them are compiled with
// shaders/quant.wgsl prepended and the type as the override constant QTYPE.
import quantCode from '../../../shaders/quant.wgsl?raw';
import { GgmlType, typeName, WEIGHT_TYPES } from '../../gguf/types';

/** Types shaders/quant.wgsl decodes: every type of the table (a case each in its w_elem). */
export const GPU_WEIGHT_TYPES: GgmlType[] = WEIGHT_TYPES.map((k) => k.type);

/** A weight tensor on the GPU: its raw bytes (padded to 4) and type. */
export interface GpuWeight {
  buffer: GPUBuffer;
  type: GgmlType;
  elements: number;
}

/** The `enable` line of kernels on f16 operands (withQuant's `enables`). */
export const F16_ENABLE = 'enable f16;\n';

/** `code` after shaders/quant.wgsl, with `enables` (WGSL `enable` lines) before both. */
export function withQuant(code: string, enables = ''): string {
  return `${enables}${quantCode}\n${code}`;
}

export function qtype(w: GpuWeight): Record<string, number> {
  if (!GPU_WEIGHT_TYPES.includes(w.type)) throw new Error(`no GPU decoder for ${typeName(w.type)}`);
  return { QTYPE: w.type };
}

/** Uploads a tensor's raw bytes. */
export function uploadWeight(
  device: GPUDevice,
  bytes: Uint8Array,
  type: GgmlType,
  elements: number,
  label?: string,
): GpuWeight {
  const buffer = device.createBuffer({
    label,
    size: Math.max(4, Math.ceil(bytes.byteLength / 4) * 4),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  writeWeightBytes(device, buffer, bytes);
  return { buffer, type, elements };
}

/** Writes a tensor's raw bytes over a weight buffer, zero-padded to its size (a multiple of 4). */
export function writeWeightBytes(device: GPUDevice, buffer: GPUBuffer, bytes: Uint8Array): void {
  const size = buffer.size;
  const padded = bytes.byteLength === size ? bytes : new Uint8Array(size);
  if (padded !== bytes) padded.set(bytes);
  device.queue.writeBuffer(buffer, 0, padded.buffer, padded.byteOffset, size);
}
