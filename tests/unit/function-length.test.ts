// The code stays readable in small pieces: no function in src/ (TypeScript, and the scripts of
// Svelte components) longer than 120 lines. A longer one is split into named steps.
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINES = 120;
const root = new URL('../../src', import.meta.url).pathname;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|svelte)$/.test(p)) out.push(p);
  }
  return out;
}

/** [lines, where, name] of every function, method and arrow function of a file. */
function functionLengths(path: string): [number, string, string][] {
  let text = readFileSync(path, 'utf8');
  let offset = 0;
  if (path.endsWith('.svelte')) {
    const m = /<script[^>]*>([\s\S]*?)<\/script>/.exec(text);
    if (!m) return [];
    offset = text.slice(0, m.index).split('\n').length - 1;
    text = m[1];
  }
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: [number, string, string][] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const line = (p: number) => sf.getLineAndCharacterOfPosition(p).line;
      const a = line(n.getStart());
      const named = n as ts.Node & { name?: ts.Node };
      const name =
        named.name?.getText() ??
        (ts.isVariableDeclaration(n.parent) ? n.parent.name.getText() : '(anonymous)');
      out.push([
        line(n.getEnd()) - a + 1,
        `${path.slice(root.length + 1)}:${a + 1 + offset}`,
        name,
      ]);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('function length', () => {
  it(`no function in src/ is longer than ${MAX_LINES} lines`, () => {
    const all = sourceFiles(root).flatMap(functionLengths);
    expect(all.length).toBeGreaterThan(500); // the walk found the code
    const long = all.filter(([n]) => n > MAX_LINES).map(([n, at, name]) => `${at} ${name}: ${n}`);
    expect(long).toEqual([]);
  });
});
