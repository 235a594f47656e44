// A heatmap grid with labelled rows and columns (the sets × sets similarity matrix, Fig. 6; the
// layer × matrix grid). Cells carry their exact value as a hover title. Pure D3.
import * as d3 from 'd3';

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
  const rowW = Math.max(60, 8 * Math.max(...rows.map((r) => r.length)));
  const m = { l: rowW + 24, t: 56, r: 90, b: 16 };
  const W = opts.width ?? Math.max(m.l + cols.length * cell + m.r, 16 + 7.2 * opts.title.length);
  const H = m.t + rows.length * cell + m.b;
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
  svg
    .append('text')
    .attr('x', 8)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .text(opts.title);
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
      .text(c),
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
      g.append('title').text(`${r} · ${c}: ${Number.isFinite(v) ? v : 'not computed'}`);
      if (cell >= 34 && Number.isFinite(v))
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
  // colour legend
  const lx = m.l + cols.length * cell + 16;
  const lh = Math.max(60, rows.length * cell);
  const grad = svg
    .append('defs')
    .append('linearGradient')
    .attr('id', `g${Math.random().toString(36).slice(2)}`)
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
    .attr('y', m.t)
    .attr('width', 12)
    .attr('height', lh)
    .attr('fill', `url(#${grad.attr('id')})`);
  for (const [v, yy] of [
    [dom[1], m.t + 8],
    [dom[0], m.t + lh],
  ] as const)
    svg
      .append('text')
      .attr('x', lx + 16)
      .attr('y', yy)
      .attr('font-size', 10)
      .text(fmt(v));
}
