// WebGPU in Node through Dawn (npm package `webgpu`), for tests, the CLI and benchmarks.
// Never imported by the browser app.
import { existsSync } from 'node:fs';
import { isSoftwareAdapter } from './context';
import { openGpu, type Gpu } from './device';

/** SwiftShader's Vulkan driver as shipped by Debian's chromium package. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Returns Dawn's `GPU` object. Where no Vulkan driver is chosen (VK_ICD_FILENAMES and
 * VK_DRIVER_FILES unset) and SwiftShader is installed, points Vulkan at SwiftShader — unless
 * `useSystemDrivers` is set (a real GPU's driver found by the loader).
 */
export async function nodeGpu(opts: { useSystemDrivers?: boolean } = {}): Promise<GPU> {
  const env = process.env;
  if (
    !opts.useSystemDrivers &&
    !env.VK_ICD_FILENAMES &&
    !env.VK_DRIVER_FILES &&
    existsSync(SWIFTSHADER_ICD)
  ) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  // Dawn frees its instance when the GPU object is garbage-collected, even while adapters and
  // devices made from it are alive; the next event then crashes the process. Keep it forever.
  keptAlive ??= webgpu.create([]) as GPU;
  return keptAlive;
}

let keptAlive: GPU | undefined;

/** What to tell a person when Dawn finds no adapter. */
export const NO_NODE_ADAPTER_HELP =
  'Dawn found no WebGPU adapter. It needs a Vulkan driver and the Vulkan loader: on Debian, ' +
  '`apt-get install -y chromium libvulkan1` (SwiftShader, used automatically) or Mesa lavapipe ' +
  '(mesa-vulkan-drivers), or set VK_ICD_FILENAMES to a driver manifest.';

/**
 * Opens a device for the CLI and benchmarks: the system's Vulkan drivers first (a real GPU),
 * and SwiftShader when they offer no adapter. With VK_ICD_FILENAMES or VK_DRIVER_FILES set,
 * only what they name.
 */
export async function openNodeGpu(
  opts: { toggles?: string[] } = {},
): Promise<{ gpu: Gpu; software: boolean }> {
  const env = process.env;
  const chosen = Boolean(env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES);
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  // Dawn toggles (e.g. allow_unsafe_apis, benchmarks only) give this process another instance
  const system = opts.toggles?.length
    ? (withToggles ??= webgpu.create(opts.toggles) as GPU)
    : (keptAlive ??= webgpu.create([]) as GPU);
  try {
    const gpu = await openGpu(system);
    return { gpu, software: isSoftwareAdapter(gpu.summary) };
  } catch (e) {
    if (chosen || !existsSync(SWIFTSHADER_ICD))
      throw new Error(`${(e as Error).message}\n${NO_NODE_ADAPTER_HELP}`);
  }
  env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  softwareGpu ??= webgpu.create([]) as GPU;
  try {
    return { gpu: await openGpu(softwareGpu), software: true };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${NO_NODE_ADAPTER_HELP}`);
  }
}

let softwareGpu: GPU | undefined;
let withToggles: GPU | undefined;
