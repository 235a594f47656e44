// Boxplots per layer (the paper's Fig. 3: LLMDcos of index pairs): box q1–q3, median line,
// whiskers to the most extreme data within 1.5 IQR, outliers as dots, the mean as a diamond.
// Pure D3: draw(el, boxes, opts).
import * as d3 from 'd3';
import type { BoxStats } from '../analysis/views';
import { drawFrame } from './frame';

export interface BoxplotOptions {
  title: string;
  yLabel: string;
  color?: string;
  width?: number;
  height?: number;
  yDomain?: [number, number];
}

export function drawBoxplot(el: SVGSVGElement, boxes: BoxStats[], opts: BoxplotOptions): void {
  const W = opts.width ?? 640;
  const H = opts.height ?? 320;
  const m = { l: 60, r: 20, t: 28, b: 40 };
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const x = d3
    .scaleBand<number>()
    .domain(boxes.map((b) => b.layer))
    .range([m.l, W - m.r])
    .padding(0.3);
  const lo = d3.min(boxes, (b) => b.min) ?? 0;
  const hi = d3.max(boxes, (b) => b.max) ?? 1;
  const pad = (hi - lo) * 0.08 || 0.05;
  const y = d3
    .scaleLinear()
    .domain(opts.yDomain ?? [Math.max(0, lo - pad), Math.min(1, hi + pad)])
    .nice()
    .range([H - m.b, m.t]);
  const c = opts.color ?? '#4e79a7';
  const f = d3.format('.4f');
  drawFrame(svg, { W, H, m }, x, (a) => a, d3.axisLeft(y).ticks(6), {
    title: opts.title,
    y: opts.yLabel,
  });
  const bw = x.bandwidth();
  for (const b of boxes) {
    const g = svg.append('g').attr('data-box', b.layer);
    const cx = x(b.layer)! + bw / 2;
    g.append('title').text(
      `layer ${b.layer}, ${b.n} pairs\nmedian ${f(b.median)}, mean ${f(b.mean)}\nq1 ${f(b.q1)}, q3 ${f(b.q3)}\nwhiskers ${f(b.lo)} – ${f(b.hi)}\nmin ${f(b.min)}, max ${f(b.max)}${b.outliers.length ? `\n${b.outliers.length} outlier(s)` : ''}`,
    );
    g.append('line')
      .attr('x1', cx)
      .attr('x2', cx)
      .attr('y1', y(b.lo))
      .attr('y2', y(b.hi))
      .attr('stroke', '#333');
    for (const w of [b.lo, b.hi])
      g.append('line')
        .attr('x1', cx - bw / 4)
        .attr('x2', cx + bw / 4)
        .attr('y1', y(w))
        .attr('y2', y(w))
        .attr('stroke', '#333');
    g.append('rect')
      .attr('x', x(b.layer)!)
      .attr('width', bw)
      .attr('y', y(b.q3))
      .attr('height', Math.max(1, y(b.q1) - y(b.q3)))
      .attr('fill', c)
      .attr('fill-opacity', 0.35)
      .attr('stroke', c);
    g.append('line')
      .attr('data-median', b.median)
      .attr('x1', x(b.layer)!)
      .attr('x2', x(b.layer)! + bw)
      .attr('y1', y(b.median))
      .attr('y2', y(b.median))
      .attr('stroke', '#111')
      .attr('stroke-width', 2);
    g.append('path')
      .attr('d', d3.symbol(d3.symbolDiamond, 30)())
      .attr('transform', `translate(${cx},${y(b.mean)})`)
      .attr('fill', '#111');
    g.selectAll('circle.out')
      .data(b.outliers)
      .join('circle')
      .attr('class', 'out')
      .attr('cx', cx)
      .attr('cy', (v) => y(v))
      .attr('r', 2.5)
      .attr('fill', 'none')
      .attr('stroke', '#333')
      .append('title')
      .text((v) => `layer ${b.layer} outlier: ${v}`);
  }
}
