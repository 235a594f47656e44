// A heatmap grid with labelled rows and columns (the sets × sets similarity matrix, Fig. 6; the
// layer × matrix grid). Cells carry their value as a hover title (4 significant figures) and, where
// it fits the cell, as a label; row, column and title text is measured before layout. The colour
// domain is the caller's (fixed bounds such as 0–1 for fractions) or the data's. Pure D3.
import * as d3 from 'd3';
import { fitText, textWidth } from './text';
import { logTick, scientific, sig4 } from './ticks';

export interface GridOptions {
  title: string;
  rowLabel: string;
  colLabel: string;
  /** colour domain; the data's extent when absent */
  domain?: [number, number];
  format?: (v: number) => string;
  log?: boolean;
  width?: number;
  cell?: number;
}

export function drawGrid(
  el: SVGSVGElement,
  rows: string[],
  cols: string[],
  values: number[][],
  opts: GridOptions,
): void {
  const fmt = opts.format ?? d3.format('.4~g');
  const cell = opts.cell ?? Math.max(18, Math.min(64, 520 / Math.max(rows.length, cols.length)));
  const rowW = Math.max(40, ...rows.map((r) => textWidth(r, 11)));
  const m = { l: rowW + 24, t: 56, r: 90, b: 16 };
  const W =
    opts.width ?? Math.max(m.l + cols.length * cell + m.r, 16 + textWidth(opts.title, 13, 600));
  // (room below the colour legend, at least 60 px tall, for its "fixed scale" note)
  const H = m.t + Math.max(60, rows.length * cell) + m.b + 6;
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const finite = values.flat().filter((v) => Number.isFinite(v) && (!opts.log || v > 0));
  const ext = opts.domain ?? (d3.extent(finite) as [number, number]);
  const dom: [number, number] = [ext[0] ?? 0, ext[1] ?? 1];
  if (dom[0] === dom[1]) dom[1] = dom[0] + (Math.abs(dom[0]) || 1) * 1e-9;
  const t = opts.log
    ? d3.scaleLog().domain(dom).range([0, 1]).clamp(true)
    : d3.scaleLinear().domain(dom).range([0, 1]).clamp(true);
  const color = (v: number) => d3.interpolateViridis(t(v));
  // values written in the cells only where every one fits its cell (all or none, so that a
  // missing label never reads as a missing value)
  const labelled = cell >= 16 && finite.every((v) => textWidth(fmt(v), 10) <= cell - 4);
  const title = svg
    .append('text')
    .attr('x', 8)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .text(fitText(opts.title, W - 16, 13, 600));
  if (title.text() !== opts.title) title.append('title').text(opts.title);
  svg
    .append('text')
    .attr('x', m.l)
    .attr('y', 34)
    .attr('font-size', 11)
    .attr('fill', '#555')
    .text(`${opts.rowLabel} ↓ · ${opts.colLabel} →`);
  cols.forEach((c, j) =>
    svg
      .append('text')
      .attr('x', m.l + j * cell + cell / 2)
      .attr('y', m.t - 6)
      .attr('text-anchor', 'middle')
      .attr('font-size', 11)
      .text(fitText(c, Math.max(cell - 2, 24), 11)),
  );
  rows.forEach((r, i) => {
    svg
      .append('text')
      .attr('x', m.l - 6)
      .attr('y', m.t + i * cell + cell / 2)
      .attr('text-anchor', 'end')
      .attr('dominant-baseline', 'middle')
      .attr('font-size', 11)
      .text(r);
    cols.forEach((c, j) => {
      const v = values[i][j];
      const g = svg.append('g').attr('data-cell', `${i},${j}`).attr('data-value', v);
      g.append('rect')
        .attr('x', m.l + j * cell)
        .attr('y', m.t + i * cell)
        .attr('width', cell - 1)
        .attr('height', cell - 1)
        .attr('fill', Number.isFinite(v) ? color(v) : '#f0f0f0');
      g.append('title').text(`${r} · ${c}: ${Number.isFinite(v) ? sig4(v) : 'not computed'}`);
      if (labelled && Number.isFinite(v))
        g.append('text')
          .attr('x', m.l + j * cell + cell / 2)
          .attr('y', m.t + i * cell + cell / 2)
          .attr('text-anchor', 'middle')
          .attr('dominant-baseline', 'middle')
          .attr('font-size', 10)
          .attr('fill', t(v) > 0.6 ? '#111' : '#fff')
          .text(fmt(v));
    });
  });
  colourLegend(
    svg,
    m.l + cols.length * cell + 16,
    m.t,
    Math.max(60, rows.length * cell),
    dom,
    opts,
    fmt,
  );
}

/** The colour scale beside the grid: a viridis bar from dom[0] (bottom) to dom[1] (top). */
function colourLegend(
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>,
  lx: number,
  top: number,
  lh: number,
  dom: [number, number],
  opts: GridOptions,
  fmt: (v: number) => string,
): void {
  const grad = svg
    .append('defs')
    .append('linearGradient')
    .attr('id', `grid-${gradientId(opts.title)}`)
    .attr('x1', 0)
    .attr('y1', 1)
    .attr('x2', 0)
    .attr('y2', 0);
  for (let k = 0; k <= 10; k++)
    grad
      .append('stop')
      .attr('offset', k / 10)
      .attr('stop-color', d3.interpolateViridis(k / 10));
  svg
    .append('rect')
    .attr('x', lx)
    .attr('y', top)
    .attr('width', 12)
    .attr('height', lh)
    .attr('fill', `url(#${grad.attr('id')})`);
  const bound = (v: number) => (opts.log ? logTick(v) || scientific(v) : fmt(v));
  for (const [v, yy] of [
    [dom[1], top + 8],
    [dom[0], top + lh],
  ] as const)
    svg
      .append('text')
      .attr('x', lx + 16)
      .attr('y', yy)
      .attr('font-size', 10)
      .text(bound(v));
  if (opts.domain)
    svg
      .append('text')
      .attr('data-domain', 'fixed')
      .attr('x', lx)
      .attr('y', top + lh + 14)
      .attr('font-size', 10)
      .attr('fill', '#555')
      .text('fixed scale');
}

/** A gradient id from the title (stable across redraws and in snapshots; unique per chart). */
function gradientId(title: string): string {
  let h = 2166136261;
  for (let i = 0; i < title.length; i++) h = Math.imul(h ^ title.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
