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
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // the reference model runs take seconds on a loaded 2-core machine; time is not what
          // these tests check (speed lives in npm run bench)
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
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
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
