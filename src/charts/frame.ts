// What every layer chart draws around its data: the title, the x axis over layers, the y axis and
// both axis labels. Pure D3.
import * as d3 from 'd3';

export interface Margins {
  l: number;
  r: number;
  t: number;
  b: number;
}

export function drawFrame(
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>,
  size: { W: number; H: number; m: Margins },
  x: d3.AxisScale<number>,
  xTicks: (a: d3.Axis<number>) => d3.Axis<number>,
  yAxis: d3.Axis<d3.NumberValue>,
  labels: { title: string; y: string; x?: string },
): void {
  const { W, H, m } = size;
  svg
    .append('text')
    .attr('x', m.l)
    .attr('y', 16)
    .attr('font-size', 13)
    .attr('font-weight', 600)
    .text(labels.title);
  svg
    .append('g')
    .attr('transform', `translate(0,${H - m.b})`)
    .call(xTicks(d3.axisBottom(x).tickFormat(d3.format('d'))));
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(yAxis);
  svg
    .append('text')
    .attr('x', (m.l + W - m.r) / 2)
    .attr('y', H - 6)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(labels.x ?? 'layer (0-based)');
  svg
    .append('text')
    .attr('transform', `translate(14,${(m.t + H - m.b) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', 12)
    .text(labels.y);
}
