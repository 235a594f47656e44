// Bundles a CLI entry (e.g. src/cli/bench.ts) into one ES module for the GPU machine, which has
// Node and Dawn (npm `webgpu`, external) but no node_modules: WGSL imported with `?raw` inlined.
//   node scripts/bundle-gpu.mjs src/cli/bench.ts .gpucarry/bench.mjs [--shader linear_mm.wgsl=/tmp/x.wgsl …]
// --shader swaps a shader's text for another file's (ablation builds: the same bench with one
// kernel changed, measured in the same call).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { build } from 'esbuild';

const [entry, outfile, ...rest] = process.argv.slice(2);
if (!entry || !outfile)
  throw new Error('usage: bundle-gpu.mjs ENTRY OUTFILE [--shader NAME=FILE …]');
const swaps = new Map();
for (let i = 0; i < rest.length; i += 2) {
  if (rest[i] !== '--shader' || !rest[i + 1]?.includes('='))
    throw new Error(`bundle-gpu: expected --shader NAME=FILE, got ${rest[i]}`);
  const [name, file] = rest[i + 1].split('=');
  swaps.set(name, file);
}

const raw = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({
      path: new URL(a.path.slice(0, -4), `file://${a.resolveDir}/`).pathname,
      namespace: 'raw',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (a) => {
      const file = swaps.get(basename(a.path)) ?? a.path;
      return { contents: `export default ${JSON.stringify(await readFile(file, 'utf8'))};` };
    });
  },
};

await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu', 'playwright-core'],
  plugins: [raw],
  logLevel: 'warning',
});
