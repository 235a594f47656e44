// The f16 tier (tests/f16) runs on Mesa lavapipe ≥ 24 — a CPU Vulkan driver with shader-f16 —
// chosen through VK_ICD_FILENAMES in vite.config.ts. Its tests fail, never skip, without it.
import { testGpu } from './gpu';

export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

export const F16_ADAPTER_HELP =
  'The f16 tests need a WebGPU adapter with shader-f16: Mesa lavapipe 24 or later ' +
  "(Debian 12: `apt-get install -y -t bookworm-backports mesa-vulkan-drivers`, with 'deb " +
  "http://deb.debian.org/debian bookworm-backports main' in the apt sources).";

/** The shared test device; throws with the install hint when it has no shader-f16. */
export async function f16Gpu() {
  const gpu = await testGpu();
  if (!gpu.device.features.has('shader-f16')) {
    throw new Error(
      `adapter "${gpu.summary.description}" has no shader-f16 (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? ''}).\n${F16_ADAPTER_HELP}`,
    );
  }
  return gpu;
}
