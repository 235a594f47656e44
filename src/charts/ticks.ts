// Number formats shared by the charts: log-axis ticks as powers of ten (10⁻³), and values to a
// few significant figures for tooltips and titles.
import * as d3 from 'd3';

const SUPER: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** 10 raised to the integer e, written 10⁻³ (1 and 10 as themselves). */
export function powerOfTen(e: number): string {
  if (e === 0) return '1';
  if (e === 1) return '10';
  return `10${[...String(e)].map((ch) => SUPER[ch]).join('')}`;
}

/** A log axis's tick label: powers of ten as 10⁻³, the ticks between them unlabelled. */
export function logTick(v: number): string {
  const e = Math.log10(v);
  return Math.abs(e - Math.round(e)) < 1e-9 ? powerOfTen(Math.round(e)) : '';
}

/** A value in scientific form to 4 significant figures: 1.234×10⁻⁵. */
export function scientific(v: number): string {
  const [m, e] = d3.format('.3~e')(v).split('e');
  return `${m}×${powerOfTen(Number(e))}`;
}

/** A value to 4 significant figures (tooltips): 0.9873, 1.234e-5 as 1.234×10⁻⁵. */
export function sig4(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return scientific(v);
  return d3.format('.4~g')(v);
}
