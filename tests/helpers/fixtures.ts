// Tiny fixture models, built once per test file from src/model/fixture.ts.
import { FIXTURES, makeFixtureModel } from '../../src/model/fixture';
import { readGguf, type GgufFile } from '../../src/gguf/reader';
import { bytesSource } from '../../src/gguf/source';
import { loadLlamaWeights, type LlamaWeights } from '../../src/model/weights';

const bytes = new Map<string, Uint8Array>();

export function fixtureBytes(name: keyof typeof FIXTURES): Uint8Array {
  let b = bytes.get(name);
  if (!b) {
    b = makeFixtureModel(FIXTURES[name]);
    bytes.set(name, b);
  }
  return b;
}

export async function fixtureFile(name: keyof typeof FIXTURES): Promise<GgufFile> {
  return readGguf(bytesSource(fixtureBytes(name), `${name}.gguf`));
}

export async function fixtureWeights(name: keyof typeof FIXTURES): Promise<LlamaWeights> {
  return loadLlamaWeights(await fixtureFile(name));
}
