// The layer map of docs/ARCHITECTURE.md kept true: every file of src/ in one layer of its table, no
// import down the table (a file imports from its own layer and the ones listed before it), no
// import cycle. The imports are read from the source text (static, re-exports and dynamic
// import() of relative paths; ?raw shader text is not code).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** `a/{x,y}.ts` → `a/x.ts`, `a/y.ts` (one pair of braces). */
const expand = (p: string): string[] => {
  const m = /^(.*)\{([^}]*)\}(.*)$/.exec(p);
  return m ? m[2].split(',').map((x) => m[1] + x + m[3]) : [p];
};

/** The table's layers in order: name and the paths (folders end in /) in its "where" cell. */
export function layerTable(doc: string): { name: string; paths: string[] }[] {
  const section = doc.slice(doc.indexOf('## The layers, bottom up'));
  const rows = section.split('\n\n')[1].split('\n').slice(2);
  return rows.map((row) => {
    const [, name, where] = row.split('|').map((c) => c.trim());
    return { name, paths: [...where.matchAll(/`([^`]+)`/g)].flatMap((m) => expand(m[1])) };
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|svelte)$/.test(f) ? [relative(ROOT, p)] : [];
  });
}

/** Each file's imports of other files of the list. */
export function importGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  const spec =
    /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const f of files) {
    const out = new Set<string>();
    for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(spec)) {
      const s = m[1] ?? m[2];
      if (s.endsWith('?raw')) continue;
      const p = relative(ROOT, resolve(ROOT, dirname(f), s));
      const hit = [p, `${p}.ts`, `${p}/index.ts`].find((c) => known.has(c));
      if (!hit) throw new Error(`${f}: import '${s}' resolves to no file of src/`);
      out.add(hit);
    }
    graph.set(f, [...out]);
  }
  return graph;
}

/** The import cycles (strongly connected components of more than one file, or a self-import). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1 || graph.get(v)!.includes(v)) out.push(scc);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

const table = layerTable(readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8'));
/** A file's layer: the row with the longest path that starts it (-1: none). */
const layerOf = (f: string): number => {
  let best = -1;
  let len = -1;
  table.forEach((row, i) =>
    row.paths.forEach((p) => {
      const hit = p.endsWith('/') ? f.startsWith(p) : f === p;
      if (hit && p.length > len) [best, len] = [i, p.length];
    }),
  );
  return best;
};
const files = sourceFiles(join(ROOT, 'src'));
const graph = importGraph(files);

describe('the layer map (docs/ARCHITECTURE.md)', () => {
  it('reads a table of layers whose paths exist', () => {
    expect(table.map((r) => r.name)).toContain('runs');
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const row of table)
      for (const p of row.paths) {
        const ok = p.endsWith('/') ? files.some((f) => f.startsWith(p)) : files.includes(p);
        expect(ok, `${row.name}: ${p} names no file of src/`).toBe(true);
      }
  });

  it('puts every file of src/ in a layer', () => {
    expect(files.filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('has no import down the table', () => {
    const down = [...graph].flatMap(([f, to]) =>
      to
        .filter((t) => layerOf(t) > layerOf(f))
        .map((t) => `${f} (${table[layerOf(f)].name}) imports ${t} (${table[layerOf(t)].name})`),
    );
    expect(down).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('would see a cycle and an import down the table (the checks can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', []],
    ]);
    expect(cycles(g).map((c) => c.sort())).toEqual([['a', 'b', 'c'], ['d']]);
    expect(layerOf('src/engine/run-gpu.ts')).toBeGreaterThan(layerOf('src/analysis/metrics.ts'));
    expect(layerOf('src/analysis/views.ts')).toBeGreaterThan(layerOf('src/engine/run-gpu.ts'));
    expect(layerOf('src/nowhere.ts')).toBe(-1);
  });
});
