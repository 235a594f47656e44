// A per-layer line chart: one line per series over 0-based layers (density per layer, the
// paper's Fig. 1/2; mean LLMDcos per layer). Pure D3: draw(el, data, opts); no Svelte, no engine.
import * as d3 from 'd3';
import { drawFrame } from './frame';

export interface LayerSeries {
  name: string;
  values: number[];
  color?: string;
}

export interface LayerChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  yMax?: number;
  /** the bottom of a linear y axis (default 0): a line chart of values far from 0 */
  yMin?: number;
  format?: (v: number) => string;
  /** a log y axis (values ≤ 0 are not drawn) */
  logY?: boolean;
  /** layers shaded as excluded from summaries */
  excluded?: number[];
}

export function draw(el: SVGSVGElement, data: LayerSeries[], opts: LayerChartOptions): void {
  const W = opts.width ?? 640;
  const H = opts.height ?? 320;
  const m = { l: 60, r: 130, t: 28, b: 40 };
  const L = Math.max(1, ...data.map((d) => d.values.length));
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const step = (W - m.r - m.l) / Math.max(1, Math.max(1, ...data.map((d) => d.values.length)) - 1);
  for (const l of opts.excluded ?? []) {
    svg
      .append('rect')
      .attr('data-excluded', l)
      .attr('x', m.l + (l - 0.5) * step)
      .attr('y', m.t)
      .attr('width', step)
      .attr('height', H - m.b - m.t)
      .attr('fill', '#eceef2');
  }
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([m.l, W - m.r]);
  const all = data.flatMap((d) => d.values);
  const top = opts.yMax ?? (d3.max(all) ?? 1) * 1.08;
  const positive = all.filter((v) => v > 0);
  const y = opts.logY
    ? d3
        .scaleLog()
        .domain([(d3.min(positive) ?? 1e-6) / 1.5, (d3.max(positive) ?? 1) * 1.5])
        .nice()
        .range([H - m.b, m.t])
    : d3
        .scaleLinear()
        .domain([opts.yMin ?? 0, top || 1])
        .nice()
        .range([H - m.b, m.t]);
  const ok = (v: number) => Number.isFinite(v) && (!opts.logY || v > 0);
  const color = d3.scaleOrdinal(d3.schemeTableau10);
  const fmt = opts.format ?? d3.format('.3~g');
  const yAxis = d3
    .axisLeft(y)
    .ticks(6)
    .tickFormat(
      opts.logY
        ? (y as d3.ScaleLogarithmic<number, number>).tickFormat(6, '.1~e')
        : (v) => fmt(v as number),
    );
  drawFrame(svg, { W, H, m }, x, (a) => a.ticks(Math.min(L, 16)), yAxis, {
    title: opts.title,
    y: opts.yLabel,
  });
  const line = d3
    .line<number>()
    .defined(ok)
    .x((_, i) => x(i))
    .y((v) => y(v));
  data.forEach((d, i) => {
    const c = d.color ?? color(String(i));
    const g = svg.append('g').attr('data-series', d.name);
    g.append('path')
      .attr('d', line(d.values) ?? '')
      .attr('fill', 'none')
      .attr('stroke', c)
      .attr('stroke-width', 2);
    g.selectAll('circle')
      .data(d.values.map((v, l) => [v, l] as const).filter(([v]) => ok(v)))
      .join('circle')
      .attr('cx', ([, l]) => x(l))
      .attr('cy', ([v]) => y(v))
      .attr('r', 3.5)
      .attr('fill', c)
      .attr('data-value', ([v]) => v)
      .append('title')
      .text(([v, l]) => `${d.name}, layer ${l}: ${v}`);
    const ly = m.t + i * 18;
    svg
      .append('rect')
      .attr('x', W - m.r + 10)
      .attr('y', ly - 5)
      .attr('width', 14)
      .attr('height', 3)
      .attr('fill', c);
    svg
      .append('text')
      .attr('x', W - m.r + 30)
      .attr('y', ly)
      .attr('font-size', 12)
      .attr('dominant-baseline', 'middle')
      .text(d.name);
  });
}
