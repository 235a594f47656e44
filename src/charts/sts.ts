// The STS lab's two charts. Pure D3, no Svelte, no engine.
// drawRhoPerLayer: Spearman's ρ of each layer's LLMDcos against gold, as bars; the window shaded
//   and brushable, its ρ with the bootstrap interval, the hidden-state baseline's ρ as a line.
// drawStsScatter: gold (x) against the pair score (y); hover finds the nearest point (Delaunay),
//   so a point under another is still reachable.
import * as d3 from 'd3';
import { appendLayerBrush } from './brush';
import { drawFrame } from './frame';

const fmt = d3.format('.3f');
const rhoText = (v: number | null) => (v === null ? 'undefined' : fmt(v));

export interface RhoChart {
  perLayer: (number | null)[];
  window: [number, number];
  rho: number | null;
  interval: [number | null, number | null];
  baseline: number | null;
  title: string;
}

export function drawRhoPerLayer(
  el: SVGSVGElement,
  d: RhoChart,
  onWindow: (a: number, b: number) => void,
  width = 720,
): void {
  const [W, H] = [width, 330];
  const m = { l: 56, r: 16, t: 60, b: 40 };
  const L = d.perLayer.length;
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const x = d3
    .scaleBand<number>()
    .domain(d3.range(L))
    .range([m.l, W - m.r])
    .padding(0.15);
  const y = d3
    .scaleLinear()
    .domain([-1, 1])
    .range([H - m.b, m.t]);
  const [a, b] = d.window;
  svg
    .append('rect')
    .attr('data-field', 'window')
    .attr('x', x(a)! - (x.step() * x.padding()) / 2)
    .attr('width', x.step() * (b - a + 1))
    .attr('y', m.t)
    .attr('height', H - m.b - m.t)
    .attr('fill', '#eef1f6');
  drawAxes(svg, { W, H, m }, x, y, d.title);
  const [wx0, wx1] = [x(a)!, x(b)! + x.bandwidth()];
  if (d.interval[0] !== null && d.interval[1] !== null)
    svg
      .append('rect')
      .attr('data-field', 'interval')
      .attr('x', wx0)
      .attr('width', wx1 - wx0)
      .attr('y', y(d.interval[1]))
      .attr('height', Math.max(1, y(d.interval[0]) - y(d.interval[1])))
      .attr('fill', '#f28e2b')
      .attr('opacity', 0.18);
  svg
    .selectAll('rect.layer')
    .data(d.perLayer.map((v, l) => ({ v, l })))
    .join('rect')
    .attr('class', 'layer')
    .attr('data-layer', (p) => p.l)
    .attr('data-value', (p) => (p.v === null ? 'null' : p.v))
    .attr('x', (p) => x(p.l)!)
    .attr('width', x.bandwidth())
    .attr('y', (p) => y(Math.max(0, p.v ?? 0)))
    .attr('height', (p) => Math.abs(y(p.v ?? 0) - y(0)))
    .attr('fill', (p) => (p.l >= a && p.l <= b ? '#2c5fd6' : '#9db3e6'))
    .append('title')
    .text((p) => `layer ${p.l}: ρ = ${rhoText(p.v)}`);
  hline(svg, y, [wx0, wx1], d.rho, '#d4590b', 'rho');
  hline(svg, y, [m.l, W - m.r], d.baseline, '#555', 'baseline', '5 4');
  legend(svg, d, m);
  appendLayerBrush(svg, x, { W, H, m }, L, onWindow);
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
type M = { l: number; r: number; t: number; b: number };

/** The frame (drawFrame: title, axes, labels), the x axis at the bottom, and a line at ρ = 0. */
function drawAxes(
  svg: Svg,
  size: { W: number; H: number; m: M },
  x: d3.ScaleBand<number>,
  y: d3.ScaleLinear<number, number>,
  title: string,
): void {
  const L = x.domain().length;
  const every = Math.max(1, Math.ceil(L / 16));
  drawFrame(
    svg,
    size,
    x,
    (a) => a.tickValues(d3.range(0, L, every)).tickSize(3),
    d3.axisLeft(y).ticks(5),
    {
      title,
      y: 'Spearman ρ vs gold',
      x: 'layer (0-based) — drag across layers to set the window',
    },
  );
  const { W, m } = size;
  svg
    .append('line')
    .attr('x1', m.l)
    .attr('x2', W - m.r)
    .attr('y1', y(0))
    .attr('y2', y(0))
    .attr('stroke', '#333');
}

function hline(
  svg: Svg,
  y: d3.ScaleLinear<number, number>,
  [x1, x2]: [number, number],
  v: number | null,
  color: string,
  name: string,
  dash = '',
): void {
  if (v === null) return;
  svg
    .append('line')
    .attr('data-field', name)
    .attr('data-value', v)
    .attr('x1', x1)
    .attr('x2', x2)
    .attr('y1', y(v))
    .attr('y2', y(v))
    .attr('stroke', color)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', dash);
}

function legend(svg: Svg, d: RhoChart, m: M): void {
  const [lo, hi] = d.interval;
  svg
    .append('text')
    .attr('x', m.l)
    .attr('y', 34)
    .attr('font-size', 12)
    .attr('fill', '#d4590b')
    .text(
      `—— window ${d.window[0]}…${d.window[1]} (dark bars, grey band): ρ = ${rhoText(d.rho)}, 95 % ${rhoText(lo)} … ${rhoText(hi)} (orange band)`,
    );
  svg
    .append('text')
    .attr('x', m.l)
    .attr('y', 50)
    .attr('font-size', 12)
    .attr('fill', '#555')
    .text(
      `- - - hidden-state baseline (cosine of mean-pooled final states): ρ = ${rhoText(d.baseline)}`,
    );
}

export interface ScatterPoint {
  gold: number;
  score: number;
}

/**
 * Gold (x) against pair score (y). Where gold takes ≤ 10 distinct values, points are spread
 * sideways by a fixed, seeded amount (said under the axis) so that equal golds do not hide each
 * other. onHover gets the index of the nearest point and its position in the SVG, or null.
 */
export function drawStsScatter(
  el: SVGSVGElement,
  pts: ScatterPoint[],
  labels: { title: string; y: string },
  onHover: (i: number | null, at: [number, number]) => void,
  width = 720,
): void {
  const [W, H] = [width, 330];
  const m = { l: 64, r: 16, t: 30, b: 44 };
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const golds = [...new Set(pts.map((p) => p.gold))].sort((p, q) => p - q);
  const [g0, g1] = d3.extent(golds) as [number, number];
  const pad = g1 > g0 ? (g1 - g0) * 0.08 : 1;
  const x = d3
    .scaleLinear()
    .domain([g0 - pad, g1 + pad])
    .range([m.l, W - m.r]);
  const [s0, s1] = d3.extent(pts, (p) => p.score) as [number, number];
  const sp = s1 > s0 ? (s1 - s0) * 0.06 : 1;
  const y = d3
    .scaleLinear()
    .domain([s0 - sp, s1 + sp])
    .nice()
    .range([H - m.b, m.t]);
  const gap = golds.length > 1 ? d3.min(d3.pairs(golds), ([p, q]) => q - p)! : 1;
  const jitter = golds.length <= 10 ? gap * 0.3 : 0;
  const px = pts.map((p, i) => x(p.gold + jitter * (((i * 0.618034) % 1) - 0.5)));
  const py = pts.map((p) => y(p.score));
  svg
    .append('g')
    .attr('transform', `translate(0,${H - m.b})`)
    .call(d3.axisBottom(x).ticks(golds.length <= 10 ? golds.length : 8));
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(6));
  const text = (x0: number, y0: number, t: string, size = 12, bold = false) =>
    svg
      .append('text')
      .attr('x', x0)
      .attr('y', y0)
      .attr('font-size', size)
      .attr('font-weight', bold ? 600 : 400)
      .text(t);
  text(m.l, 16, labels.title, 13, true);
  text(
    (m.l + W - m.r) / 2 - 60,
    H - 6,
    jitter ? 'gold score (points spread sideways)' : 'gold score',
  );
  svg
    .append('text')
    .attr('transform', `translate(14,${(m.t + H - m.b) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(labels.y);
  const dots = svg
    .append('g')
    .selectAll('circle')
    .data(pts)
    .join('circle')
    .attr('data-i', (_, i) => i)
    .attr('data-gold', (p) => p.gold)
    .attr('data-score', (p) => p.score)
    .attr('cx', (_, i) => px[i])
    .attr('cy', (_, i) => py[i])
    .attr('r', 4)
    .attr('fill', '#2c5fd6')
    .attr('fill-opacity', 0.6);
  const delaunay = d3.Delaunay.from(
    pts,
    (_, i) => px[i],
    (_, i) => py[i],
  );
  svg
    .append('rect')
    .attr('class', 'hover-area')
    .attr('x', m.l)
    .attr('y', m.t)
    .attr('width', W - m.l - m.r)
    .attr('height', H - m.t - m.b)
    .attr('fill', 'transparent')
    .on('pointermove', (ev: PointerEvent) => {
      const [mx, my] = d3.pointer(ev, el);
      const i = delaunay.find(mx, my);
      dots.attr('stroke', (_, k) => (k === i ? '#111' : null)).attr('stroke-width', 2);
      onHover(i, [px[i], py[i]]);
    })
    .on('pointerleave', () => {
      dots.attr('stroke', null);
      onHover(null, [0, 0]);
    });
}
