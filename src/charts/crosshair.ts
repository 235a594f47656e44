// The layer charts' shared tooltip: a crosshair at the layer nearest the pointer with every
// series' value there (4 significant figures); a click pins it where it is (another click frees
// it); with the chart focused, ← and → move it and Escape hides it. Pure D3 on the chart's SVG.
import * as d3 from 'd3';
import { sig4 } from './ticks';
import { textWidth } from './text';

export interface CrosshairSeries {
  name: string;
  values: number[];
  color: string;
}

export interface PlotArea {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

/** Adds the crosshair and its overlay to a drawn layer chart (x: layer → px). */
export function attachCrosshair(
  svg: Svg,
  area: PlotArea,
  x: d3.ScaleLinear<number, number>,
  layers: number,
  series: CrosshairSeries[],
): void {
  const g = svg.append('g').attr('data-crosshair', '').style('display', 'none');
  const line = g
    .append('line')
    .attr('y1', area.top)
    .attr('y2', area.bottom)
    .attr('stroke', '#333')
    .attr('stroke-dasharray', '3 3');
  const box = g.append('g');
  let at = -1;
  let pinned = false;
  const show = (l: number) => {
    at = Math.max(0, Math.min(layers - 1, l));
    const rows = [
      `layer ${at}${pinned ? ' (pinned)' : ''}`,
      ...series.map((s) => `${s.name}: ${sig4(s.values[at])}`),
    ];
    const w = 16 + Math.max(...rows.map((r) => textWidth(r, 11)));
    const h = 8 + rows.length * 15;
    const px = x(at);
    const bx = px + 8 + w <= area.right ? px + 8 : Math.max(area.left, px - 8 - w);
    g.style('display', null).attr('data-layer', at);
    line.attr('x1', px).attr('x2', px);
    box.selectAll('*').remove();
    box.attr('transform', `translate(${bx},${area.top + 4})`);
    box
      .append('rect')
      .attr('width', w)
      .attr('height', h)
      .attr('fill', 'white')
      .attr('stroke', '#999');
    rows.forEach((r, i) => {
      const t = box
        .append('text')
        .attr('x', 8)
        .attr('y', 16 + i * 15)
        .attr('font-size', 11)
        .text(r);
      if (i > 0) t.attr('fill', series[i - 1].color).attr('data-row', series[i - 1].name);
    });
  };
  const hide = () => {
    at = -1;
    g.style('display', 'none');
  };
  const nearest = (e: PointerEvent | MouseEvent) =>
    Math.round(x.invert(d3.pointer(e, svg.node())[0]));
  svg
    .append('rect')
    .attr('data-overlay', '')
    .attr('x', area.left)
    .attr('y', area.top)
    .attr('width', Math.max(0, area.right - area.left))
    .attr('height', Math.max(0, area.bottom - area.top))
    .attr('fill', 'transparent')
    .on('pointermove', (e: PointerEvent) => {
      if (!pinned) show(nearest(e));
    })
    .on('pointerleave', () => {
      if (!pinned) hide();
    })
    .on('click', (e: MouseEvent) => {
      pinned = !pinned;
      show(pinned ? nearest(e) : at);
    });
  svg.attr('tabindex', 0).on('keydown', (e: KeyboardEvent) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      show(at < 0 ? 0 : at + (e.key === 'ArrowRight' ? 1 : -1));
      e.preventDefault();
    } else if (e.key === 'Escape') {
      pinned = false;
      hide();
    }
  });
  // (the overlay sits above the marks; their own titles stay for screen readers)
  g.raise();
}
