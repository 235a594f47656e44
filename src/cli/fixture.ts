// npm run fixture -- --name f32|f16|q8_0|q4_0|… --out model.gguf — writes a tiny seeded Llama;
// npm run fixture -- --shape 7b|8b [--type q4_0] --out model.gguf — a seeded random model of a real
// shape (3.9 GB at 7B Q4_0), written one tensor at a time (src/model/fixture-file.ts).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FIXTURES, makeFixtureModel } from '../model/fixture';
import { shapedFixture, writeFixtureFile } from '../model/fixture-file';
import { LLAMA2_7B, LLAMA3_8B } from '../gpu/synthetic';
import { GgmlType } from '../gguf/types';

const SHAPES = { '7b': LLAMA2_7B, '8b': LLAMA3_8B };
const TYPES: Record<string, GgmlType> = {
  q4_0: GgmlType.Q4_0,
  q8_0: GgmlType.Q8_0,
  f16: GgmlType.F16,
};
const { values } = parseArgs({
  options: {
    name: { type: 'string', default: 'f32' },
    shape: { type: 'string' },
    type: { type: 'string', default: 'q4_0' },
    out: { type: 'string' },
  },
});
const usage = `usage: npm run fixture -- --name ${Object.keys(FIXTURES).join('|')} --out model.gguf
       npm run fixture -- --shape ${Object.keys(SHAPES).join('|')} [--type ${Object.keys(TYPES).join('|')}] --out model.gguf`;
if (!values.out) {
  console.error(usage);
  process.exit(2);
}
/** Writes the model asked for; returns what to print. */
async function write(out: string): Promise<string> {
  if (values.shape) {
    const shape = SHAPES[values.shape as keyof typeof SHAPES];
    const type = TYPES[values.type!];
    if (!shape || type === undefined) {
      console.error(`--shape ${values.shape} --type ${values.type}: ${usage}`);
      process.exit(2);
    }
    const t0 = performance.now();
    const size = writeFixtureFile(shapedFixture(shape, type), out);
    const s = (performance.now() - t0) / 1000;
    return `${values.shape} ${values.type}: ${size} bytes → ${out} in ${s.toFixed(1)} s`;
  }
  const opts = FIXTURES[values.name!];
  if (!opts) {
    console.error(usage);
    process.exit(2);
  }
  const bytes = makeFixtureModel(opts);
  await writeFile(out, bytes, { flag: 'wx' });
  return `${values.name}: ${bytes.byteLength} bytes → ${out}`;
}

try {
  console.log(await write(values.out));
} catch (e) {
  // an existing --out is never written over: one line that says so
  if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  console.error(`--out ${values.out}: the file exists already; it is not written over`);
  process.exit(2);
}
