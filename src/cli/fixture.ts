// npm run fixture -- --name f32|f16|q8_0|q4_0 --out model.gguf — writes a tiny seeded Llama.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FIXTURES, makeFixtureModel } from '../model/fixture';

const { values } = parseArgs({
  options: { name: { type: 'string', default: 'f32' }, out: { type: 'string' } },
});
const opts = FIXTURES[values.name!];
if (!opts || !values.out) {
  console.error(
    `usage: npm run fixture -- --name ${Object.keys(FIXTURES).join('|')} --out model.gguf`,
  );
  process.exit(2);
}
const bytes = makeFixtureModel(opts);
await writeFile(values.out, bytes);
console.log(`${values.name}: ${bytes.byteLength} bytes → ${values.out}`);
