// Every CSV export goes through src/util/csv.ts: formula cells neutralised (OWASP), quoting of
// quotes, commas, \n and \r — checked on the exporters themselves with hostile set names.
import { describe, expect, it } from 'vitest';
import { csvCell, csvObjects } from '../../src/util/csv';
import { boxCsv, gridCsv, seriesCsv } from '../../src/analysis/views';
import { stsRowsCsv } from '../../src/analysis/sts-views';

const HOSTILE = ['=HYPERLINK("http://x","y")', '@SUM(A1:A9)', '+1+2', '-2+3', '\tx', '\rcmd'];

/** The cells of one CSV line, unquoted (RFC 4180). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') ((cur += '"'), i++);
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) (out.push(cur), (cur = ''));
    else cur += c;
  }
  return [...out, cur];
}

describe('CSV exports', () => {
  it('neutralise text cells that a spreadsheet would run as formulas', () => {
    for (const h of HOSTILE) {
      const cell = csvCell(h);
      expect(cells(cell)[0], h).toBe(`'${h}`);
    }
    expect(csvCell('plain name')).toBe('plain name');
    expect(csvCell(-0.25)).toBe('-0.25'); // numbers stay numbers
    expect(csvCell(NaN)).toBe('');
  });

  it('quote \\r, \\n, commas and quotes', () => {
    expect(csvCell('a\rb')).toBe('"a\rb"');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
  });

  it('the density / LLMDcos series, the set matrix, boxplots and STS rows use them', () => {
    const series = HOSTILE.map((name, i) => ({ name, values: [i, -i] }));
    const s = seriesCsv(series).split('\n');
    expect(cells(s[0]).slice(1)).toEqual(HOSTILE.map((h) => `'${h}`));
    expect(cells(s[2])).toEqual(['1', ...HOSTILE.map((_, i) => String(-i))]);
    const g = gridCsv('set', HOSTILE.slice(0, 2), HOSTILE.slice(2, 4), [
      [1, NaN],
      [0.5, -1],
    ]);
    const lines = g.trim().split('\n').map(cells);
    expect(lines[0]).toEqual(['set', `'${HOSTILE[2]}`, `'${HOSTILE[3]}`]);
    expect(lines[1]).toEqual([`'${HOSTILE[0]}`, '1', '']);
    const b = boxCsv([
      {
        layer: 0,
        n: 2,
        min: 0,
        lo: 0,
        q1: 0,
        median: 0,
        q3: 1,
        hi: 1,
        max: 1,
        mean: 0.5,
        outliers: [],
      },
    ]);
    expect(b.split('\n')[1].startsWith('0,2,')).toBe(true);
    const sts = stsRowsCsv([
      {
        n: 0,
        a: '=1+1',
        b: '@x',
        gold: 1,
        score: 0.5,
        goldRank: 1,
        scoreRank: 1,
        residual: 0,
        cosine: 0.1,
      },
    ]);
    expect(cells(sts.split('\n')[1]).slice(1, 3)).toEqual(["'=1+1", "'@x"]);
    expect(csvObjects([{ a: '+x', b: 2 }])).toBe("a,b\n'+x,2\n");
  });
});
