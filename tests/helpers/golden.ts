// Results captured from the GPU backend on this adapter, compared bit for bit: a change to the
// engine's code that is meant to keep its numbers (a move, a split, a rename) must reproduce them
// exactly. `PARAMSCOPE_CAPTURE_GOLDEN=1 npx vitest run --project gpu tests/gpu/engine.test.ts`
// (and --project f16) writes the files anew; commit them only with a change that is meant to
// move the numbers, and say so.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { expect } from 'vitest';
import { testGpu } from './gpu';

const capture = process.env.PARAMSCOPE_CAPTURE_GOLDEN === '1';

interface GoldenFile {
  /** the adapter the numbers came from: bit-identity is asked only on the same one */
  adapter: string;
  cases: Record<string, unknown>;
}

const path = (file: string) => new URL(`../golden/${file}.json`, import.meta.url).pathname;
const loaded = new Map<string, GoldenFile>();

function load(file: string, adapter: string): GoldenFile {
  let g = loaded.get(file);
  if (!g) {
    g = capture
      ? { adapter, cases: {} }
      : existsSync(path(file))
        ? (JSON.parse(readFileSync(path(file), 'utf8')) as GoldenFile)
        : { adapter: '', cases: {} };
    loaded.set(file, g);
  }
  return g;
}

/** Every number of `value` in document order (object keys as written). */
function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => numbers(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => numbers(v, out));
  return out;
}

/**
 * `value` equal, number for number (JSON round trip: f64 exact, -0 kept apart from 0 by sign),
 * to what was captured under `name` in tests/golden/`file`.json on the same adapter. On another
 * adapter the numbers may round differently: then within 1e-5 relative, and the test says so.
 */
export async function expectGolden(file: string, name: string, value: unknown): Promise<void> {
  const adapter = (await testGpu()).summary.description;
  const g = load(file, adapter);
  const got = JSON.parse(JSON.stringify(value)) as unknown;
  if (capture) {
    g.cases[name] = got;
    writeFileSync(path(file), `${JSON.stringify(g)}\n`);
    return;
  }
  expect(
    g.cases[name],
    `no golden results for "${name}" in tests/golden/${file}.json`,
  ).toBeDefined();
  const want = g.cases[name];
  const a = numbers(got);
  const b = numbers(want);
  expect(a.length, `${name}: how many numbers`).toBe(b.length);
  if (g.adapter === adapter) {
    const i = a.findIndex((x, k) => !Object.is(x, b[k]));
    expect(i, `${name}: number ${i} is ${a[i]}, captured ${b[i]}`).toBe(-1);
    expect(got).toEqual(want);
    return;
  }
  console.warn(`${name}: golden results from "${g.adapter}", this is "${adapter}": 1e-5 relative`);
  const i = a.findIndex((x, k) => Math.abs(x - b[k]) > 1e-5 * Math.max(Math.abs(b[k]), 1e-30));
  expect(i, `${name}: number ${i} is ${a[i]}, captured ${b[i]}`).toBe(-1);
}
