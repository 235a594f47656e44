// A strip of layers with a D3 brush: dragging selects a layer range (snapped to whole layers);
// excluded layers are drawn pale. Pure D3: drawLayerBrush(el, L, excluded, onRange).
import * as d3 from 'd3';

export function drawLayerBrush(
  el: SVGSVGElement,
  L: number,
  excluded: number[],
  onRange: (lo: number, hi: number) => void,
): void {
  const W = 640;
  const H = 44;
  const m = { l: 12, r: 12, t: 4, b: 18 };
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  const x = d3
    .scaleBand<number>()
    .domain(d3.range(L))
    .range([m.l, W - m.r])
    .padding(0.08);
  svg
    .selectAll('rect.layer')
    .data(d3.range(L))
    .join('rect')
    .attr('class', 'layer')
    .attr('data-layer', (l) => l)
    .attr('x', (l) => x(l)!)
    .attr('y', m.t)
    .attr('width', x.bandwidth())
    .attr('height', H - m.t - m.b)
    .attr('fill', (l) => (excluded.includes(l) ? '#e4e7ec' : '#2c5fd6'));
  svg
    .append('g')
    .attr('transform', `translate(0,${H - m.b})`)
    .call(
      d3
        .axisBottom(x)
        .tickValues(d3.range(0, L, Math.max(1, Math.ceil(L / 16))))
        .tickSize(3),
    );
  appendLayerBrush(svg, x, { W, H, m }, L, onRange);
}

/**
 * A D3 brush over a band scale of layers: the selection is snapped to whole layers, cleared, and
 * handed to onRange(lo, hi) (0-based, inclusive) when it covers at least one.
 */
export function appendLayerBrush(
  svg: d3.Selection<SVGSVGElement, unknown, null, undefined>,
  x: d3.ScaleBand<number>,
  { W, H, m }: { W: number; H: number; m: { l: number; r: number; t: number; b: number } },
  L: number,
  onRange: (lo: number, hi: number) => void,
): void {
  const brush = d3
    .brushX()
    .extent([
      [m.l, m.t],
      [W - m.r, H - m.b],
    ])
    .on('end', (ev: d3.D3BrushEvent<unknown>) => {
      if (!ev.selection || !ev.sourceEvent) return;
      const [a, b] = ev.selection as [number, number];
      const lo = Math.max(0, Math.round((a - m.l) / x.step()));
      const hi = Math.min(L - 1, Math.round((b - m.l) / x.step()) - 1);
      svg.select<SVGGElement>('g.brush').call(brush.move, null);
      if (hi >= lo) onRange(lo, hi);
    });
  svg.append('g').attr('class', 'brush').call(brush);
}
