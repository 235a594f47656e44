// A per-layer line chart: one line per series over 0-based layers (density per layer, the
// paper's Fig. 1/2; mean LLMDcos per layer). Pure D3: draw(el, data, opts); no Svelte, no engine.
// Text is measured before layout (the legend's column takes its longest name, up to 30 % of the
// width; a longer name or title is cut with an ellipsis and kept whole in a <title>); log axes
// label powers of ten as 10⁻³ and mark values ≤ 0 (off the scale) at the floor; a shared
// crosshair tooltip gives every series' value at the layer under the pointer.
import * as d3 from 'd3';
import { drawFrame } from './frame';
import { attachCrosshair } from './crosshair';
import { fitText, textWidth } from './text';
import { logTick, sig4 } from './ticks';
import type { LayerSeries } from '../analysis/views';

export interface LayerChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  yMax?: number;
  /** the bottom of a linear y axis (default 0): a line chart of values far from 0 */
  yMin?: number;
  format?: (v: number) => string;
  /** a log y axis (values ≤ 0 are marked at its floor) */
  logY?: boolean;
  /** layers shaded as excluded from summaries */
  excluded?: number[];
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
/** Dashes for the series past the palette's 10 colours (one per further round). */
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
const ZERO = '▼ 0: below the log scale';

export function draw(el: SVGSVGElement, data: LayerSeries[], opts: LayerChartOptions): void {
  const W = opts.width ?? 640;
  const H = opts.height ?? 320;
  const zeros = !!opts.logY && data.some((d) => d.values.some((v) => v <= 0));
  const legendW = Math.min(
    W * 0.3,
    Math.max(60, ...data.map((d) => textWidth(d.name, 12) + 30), zeros ? textWidth(ZERO, 11) : 0),
  );
  const m = { l: 60, r: legendW + 16, t: 28, b: 40 };
  const L = Math.max(1, ...data.map((d) => d.values.length));
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(1, L - 1)])
    .range([m.l, W - m.r]);
  shadeExcluded(svg, opts.excluded ?? [], x, (W - m.r - m.l) / Math.max(1, L - 1), m.t, H - m.b);
  const y = yScale(data, opts, [H - m.b, m.t]);
  const ok = (v: number) => Number.isFinite(v) && (!opts.logY || v > 0);
  // whole layers only, at most 16 labelled
  const xTicks = d3.range(0, L, Math.ceil(L / 16));
  drawFrame(svg, { W, H, m }, x, (a) => a.tickValues(xTicks), yAxis(y, opts), {
    title: fitTitle(svg, opts.title, W - m.l - 8),
    y: opts.yLabel,
  });
  const palette = d3.scaleOrdinal(d3.schemeTableau10);
  const styled = data.map((d, i) => ({
    ...d,
    color: d.color ?? palette(String(i % 10)),
    dash: d.dash ?? DASHES[Math.floor(i / 10) % DASHES.length],
  }));
  const line = d3
    .line<number>()
    .defined(ok)
    .x((_, i) => x(i))
    .y((v) => y(v));
  styled.forEach((d, i) => {
    const g = svg.append('g').attr('data-series', d.name);
    g.append('path')
      .attr('d', line(d.values) ?? '')
      .attr('fill', 'none')
      .attr('stroke', d.color)
      .attr('stroke-dasharray', d.dash || null)
      .attr('stroke-width', 2);
    g.selectAll('circle')
      .data(d.values.map((v, l) => [v, l] as const).filter(([v]) => ok(v)))
      .join('circle')
      .attr('cx', ([, l]) => x(l))
      .attr('cy', ([v]) => y(v))
      .attr('r', 3.5)
      .attr('fill', d.color)
      .attr('data-value', ([v]) => v)
      .append('title')
      .text(([v, l]) => `${d.name}, layer ${l}: ${sig4(v)}`);
    if (opts.logY) markZeros(g, d, x, H - m.b);
    legendRow(svg, d, W - m.r + 10, m.t + i * 18, legendW);
  });
  if (zeros)
    svg
      .append('text')
      .attr('data-zero-note', '')
      .attr('x', W - m.r + 10)
      .attr('y', m.t + styled.length * 18 + 6)
      .attr('font-size', 11)
      .attr('fill', '#555')
      .text(fitText(ZERO, legendW, 11));
  const area = { left: m.l, right: W - m.r, top: m.t, bottom: H - m.b };
  attachCrosshair(svg, area, x, L, styled);
}

function yScale(
  data: LayerSeries[],
  opts: LayerChartOptions,
  range: [number, number],
): d3.ScaleLinear<number, number> | d3.ScaleLogarithmic<number, number> {
  const all = data.flatMap((d) => d.values).filter(Number.isFinite);
  if (opts.logY) {
    const positive = all.filter((v) => v > 0);
    const lo = (d3.min(positive) ?? 1e-6) / 1.5;
    return d3
      .scaleLog()
      .domain([lo, Math.max(lo * 10, (d3.max(positive) ?? 1) * 1.5)])
      .nice()
      .range(range);
  }
  const top = opts.yMax ?? (d3.max(all) ?? 1) * 1.08;
  return d3
    .scaleLinear()
    .domain([opts.yMin ?? 0, top || 1])
    .nice()
    .range(range);
}

/** The y axis: 6 ticks, or on a log scale its powers of ten as 10⁻³ (others unlabelled). */
function yAxis(
  y: d3.ScaleLinear<number, number> | d3.ScaleLogarithmic<number, number>,
  opts: LayerChartOptions,
): d3.Axis<d3.NumberValue> {
  const fmt = opts.format ?? d3.format('.3~g');
  const axis = d3.axisLeft(y);
  if (!opts.logY) return axis.ticks(6).tickFormat((v) => fmt(v as number));
  const powers = y.ticks().filter((v) => logTick(v) !== '');
  // a domain within one decade has at most one power of ten: label a few ticks instead
  if (powers.length >= 2) return axis.tickValues(y.ticks()).tickFormat((v) => logTick(+v));
  return axis.tickValues(y.ticks(4)).tickFormat((v) => sig4(+v));
}

function shadeExcluded(
  svg: Svg,
  excluded: number[],
  x: d3.ScaleLinear<number, number>,
  step: number,
  top: number,
  bottom: number,
): void {
  for (const l of excluded)
    svg
      .append('rect')
      .attr('data-excluded', l)
      .attr('x', Math.max(x.range()[0], x(l) - step / 2))
      .attr('y', top)
      .attr(
        'width',
        Math.min(x.range()[1], x(l) + step / 2) - Math.max(x.range()[0], x(l) - step / 2),
      )
      .attr('height', bottom - top)
      .attr('fill', '#eceef2');
}

/** The title as it fits (13 px, else 11 px, else cut); a cut title keeps its text in a <title>. */
function fitTitle(svg: Svg, title: string, max: number): string {
  if (textWidth(title, 13, 600) <= max) return title;
  svg.append('title').text(title);
  return fitText(title, max, 13, 600);
}

/** Values ≤ 0 of a log chart: a ▼ at the axis floor, with the value in its title. */
function markZeros(
  g: d3.Selection<SVGGElement, unknown, null, undefined>,
  d: Required<LayerSeries>,
  x: d3.ScaleLinear<number, number>,
  floor: number,
): void {
  g.selectAll('path.zero')
    .data(d.values.map((v, l) => [v, l] as const).filter(([v]) => v <= 0))
    .join('path')
    .attr('class', 'zero')
    .attr('data-zero', ([, l]) => l)
    .attr('d', ([, l]) => `M${x(l) - 4},${floor - 7}h8l-4,7z`)
    .attr('fill', d.color)
    .append('title')
    .text(([v, l]) => `${d.name}, layer ${l}: ${v} (below the log scale)`);
}

function legendRow(svg: Svg, d: Required<LayerSeries>, lx: number, ly: number, w: number): void {
  svg
    .append('line')
    .attr('x1', lx)
    .attr('x2', lx + 16)
    .attr('y1', ly)
    .attr('y2', ly)
    .attr('stroke', d.color)
    .attr('stroke-width', 3)
    .attr('stroke-dasharray', d.dash || null);
  const name = fitText(d.name, w - 30, 12);
  const t = svg
    .append('text')
    .attr('x', lx + 22)
    .attr('y', ly)
    .attr('font-size', 12)
    .attr('dominant-baseline', 'middle')
    .text(name);
  if (name !== d.name) t.append('title').text(d.name);
}
