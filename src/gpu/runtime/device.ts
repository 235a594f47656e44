// Finding a WebGPU adapter and opening a device with the adapter's real limits.
// Used by the browser app (navigator.gpu) and by Node (Dawn's GPU object, see ./node.ts).

/** What the app shows about the adapter, and what the engine plans with. */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: {
    shaderF16: boolean;
    subgroups: boolean;
    timestampQuery: boolean;
    subgroupMatrix: boolean;
    /**
     * subgroup matrices our f16 matrix kernels can use: an f16 × f16 → f32 16 × 16 × 16
     * configuration, 32-wide subgroups, and WGSL's subgroup_uniformity
     */
    matrixF16: boolean;
  };
  subgroupMinSize: number | null;
  subgroupMaxSize: number | null;
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
  };
}

export interface Gpu {
  /** The GPU object the adapter came from (Dawn frees everything if it is collected). */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
}

/** Why there is no usable WebGPU; `reason` is a stable code, `message` is for people. */
export class WebGpuUnavailableError extends Error {
  constructor(
    readonly reason: 'no-navigator-gpu' | 'no-adapter' | 'device-failed',
    message: string,
  ) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

/** Limits we raise from the defaults to what the adapter offers. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Optional features we ask for whenever the adapter has them. */
const WANTED_FEATURES = [
  'shader-f16',
  'subgroups',
  'timestamp-query',
  'chromium-experimental-subgroup-matrix',
] as const;

export function summarizeAdapter(adapter: GPUAdapter, gpu?: GPU): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & {
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
    isFallbackAdapter?: boolean;
    subgroupMatrixConfigs?: {
      componentType: string;
      resultComponentType: string;
      M: number;
      N: number;
      K: number;
    }[];
  };
  const subgroupMatrix = adapter.features.has('chromium-experimental-subgroup-matrix');
  const l = adapter.limits;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? false,
    features: {
      shaderF16: adapter.features.has('shader-f16'),
      subgroups: adapter.features.has('subgroups'),
      timestampQuery: adapter.features.has('timestamp-query'),
      subgroupMatrix,
      matrixF16:
        subgroupMatrix &&
        adapter.features.has('shader-f16') &&
        // shaders/linear_mm.wgsl takes its offsets from subgroup_id (`requires subgroup_uniformity`)
        adapter.features.has('subgroups') &&
        (gpu?.wgslLanguageFeatures?.has('subgroup_uniformity') ?? false) &&
        info.subgroupMinSize === 32 &&
        info.subgroupMaxSize === 32 &&
        (info.subgroupMatrixConfigs ?? []).some(
          (c) =>
            c.componentType === 'f16' &&
            c.resultComponentType === 'f32' &&
            c.M === 16 &&
            c.N === 16 &&
            c.K === 16,
        ),
    },
    subgroupMinSize: info.subgroupMinSize ?? null,
    subgroupMaxSize: info.subgroupMaxSize ?? null,
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  };
}

/**
 * Opens a device on the best adapter of `gpu`, with every optional feature we use that it has
 * and its real limits (not WebGPU's small defaults).
 */
export async function openGpu(gpu: GPU | undefined): Promise<Gpu> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'no-navigator-gpu',
      'This browser has no WebGPU (navigator.gpu is missing). Use a current Chrome or Edge (version 113 or later) on a secure origin (https or localhost).',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'no-adapter',
      'WebGPU is present but no adapter was offered. Enable hardware acceleration in the browser settings, check chrome://gpu, and on Linux start Chrome with --enable-unsafe-webgpu (and --enable-features=Vulkan).',
    );
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) =>
    adapter.features.has(f),
  ) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const k of RAISED_LIMITS) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (e) {
    throw new WebGpuUnavailableError(
      'device-failed',
      `The adapter refused a device with its own limits and features: ${(e as Error).message}`,
    );
  }
  return { gpu, adapter, device, summary: summarizeAdapter(adapter, gpu) };
}
