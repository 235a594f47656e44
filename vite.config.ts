/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** Serves the shipped demo model at ./models/paramscope-demo.gguf (dev) and copies it into dist/. */
function demoModel(): Plugin {
  const source = 'models/demo/paramscope-demo.gguf';
  const fileName = 'models/paramscope-demo.gguf';
  return {
    name: 'paramscope-demo-model',
    configureServer(server) {
      server.middlewares.use(`/${fileName}`, (_req, res) => {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(readFileSync(source));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName, source: readFileSync(source) });
    },
  };
}

// Four test tiers, one `vitest run`: unit (Node), gpu (Node + Dawn on a Vulkan adapter,
// SwiftShader where no GPU exists), f16 (Node + Dawn on Mesa lavapipe, for shader-f16), e2e (the built app in real Chromium via playwright-core).
export default defineConfig({
  base: './',
  plugins: [svelte(), demoModel()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  test: {
    reporters: ['default', './tests/reporter.ts'],
    // Two test files at a time (vitest's default here is one: cores − 1). On the software
    // adapters most of a GPU test's time is one shader compile (LLVM, one core), so a second
    // file uses the other core. Only the f16 tier runs its files one by one (see there): vitest
    // runs such a tier after all the others, on one worker, so no other tier does.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // Timeouts: at least 3× the slowest test of the tier as measured in a full parallel run
          // on a 2-core machine (the reporter prints the ten slowest against their limits); time
          // is not what these tests check (speed lives in npm run bench). Slowest unit test:
          // the GGUF fuzz (10,000 files) 28–40 s, the demo model on the reference backend 22–27 s.
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          // its time-left test runs alone (gpu-timing below)
          exclude: ['tests/gpu/progress.test.ts'],
          pool: 'forks',
          // slowest: whole fixture models vs the reference on the tiled kernels, up to 70 s (the
          // demo model, 79–85 s, and the ONNX cross-check set their own)
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // the f16 path, on Mesa lavapipe (shader-f16 on the CPU; SwiftShader has none)
          name: 'f16',
          include: ['tests/f16/**/*.test.ts'],
          pool: 'forks',
          env: { VK_ICD_FILENAMES: '/usr/share/vulkan/icd.d/lvp_icd.json' },
          // one file at a time: lavapipe keeps compiled shaders in its disk cache, so a pipeline
          // one file compiled (10–50 s for an f16 linear) is not compiled again by the next
          // (measured: the tier took 128 s so, 258 s with its files beside each other)
          fileParallelism: false,
          // slowest: whole fixture models on the f16 path, up to 71 s (mostly shader compiles)
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // the run-progress tests of the gpu tier, alone (one file at a time, after the other
          // tiers, like f16): the demo's time left at half-way is checked against the truth, which
          // the other files' load coming and going beside it skewed by up to 46 % (alone: 11–15 %)
          name: 'gpu-timing',
          include: ['tests/gpu/progress.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          // a later group: vitest starts it once every other tier has finished (without it, it
          // could run beside e2e's browsers: 40 % off in one fresh-clone run)
          sequence: { groupOrder: 1 },
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          pool: 'forks',
          // beside a gpu-tier file a page's first run takes up to 45 s (compiles in Chromium)
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
