// CSV for every export: RFC 4180 quoting (", comma, \n, \r) and OWASP's rule against formula
// injection — a text cell starting with =, +, -, @, tab or carriage return is prefixed with a
// single quote, so a spreadsheet shows it as text instead of running it (a set named
// `=HYPERLINK(…)`). Numbers are written as numbers (a negative value is not text).

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: numbers as they are, text neutralised and quoted where needed. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table: a header row, then the rows, each line ending in \n. */
export function csvTable(header: string[], rows: CsvValue[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** Objects as a table, the columns those of the first row (in its key order). */
export function csvObjects(rows: Record<string, CsvValue>[]): string {
  const cols = rows.length ? Object.keys(rows[0]) : [];
  return csvTable(
    cols,
    rows.map((r) => cols.map((c) => r[c])),
  );
}
