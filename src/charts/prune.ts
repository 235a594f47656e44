// The pruning lab's sweep: perplexity (log scale) against the mean sparsity S, one line per
// method × allocation (one colour per method; each allocation its dash and point shape from
// ALLOCATION_KINDS, so points at one S tell apart), dense as a grey rule, each point labelled on
// hover. Pure D3, no Svelte, no engine.
import * as d3 from 'd3';
import { drawFrame } from './frame';
import { allocationKind, type LabAllocation } from '../prune/lab';

export interface SweepLine {
  method: string;
  allocation: LabAllocation;
  points: { S: number; ppl: number }[];
}

const SYMBOLS = {
  circle: d3.symbolCircle,
  square: d3.symbolSquare,
  triangle: d3.symbolTriangle,
  diamond: d3.symbolDiamond,
};
/** The point shape of an allocation (d3.symbol's area, about a 3.5-px circle's). */
const marker = (a: LabAllocation) => d3.symbol(SYMBOLS[allocationKind(a).marker], 44)() ?? '';

const COLORS: Record<string, string> = {
  wanda: '#2c5fd6',
  magnitude: '#e15759',
  score: '#59a14f',
  random: '#9c755f',
};

export function drawSweep(
  el: SVGSVGElement,
  lines: SweepLine[],
  dense: number | null,
  title: string,
  width = 720,
): void {
  const [W, H] = [width, 340];
  const m = { l: 64, r: 170, t: 36, b: 42 };
  const svg = d3.select(el).attr('viewBox', `0 0 ${W} ${H}`).attr('width', W).attr('height', H);
  svg.selectAll('*').remove();
  svg.append('rect').attr('width', W).attr('height', H).attr('fill', 'white');
  const all = lines.flatMap((l) => l.points);
  const xs = all.map((p) => p.S);
  const ys = all.map((p) => p.ppl).concat(dense === null ? [] : [dense]);
  const x = d3
    .scaleLinear()
    .domain([Math.min(0, d3.min(xs) ?? 0), Math.max(0.8, d3.max(xs) ?? 0.8)])
    .range([m.l, W - m.r]);
  const y = d3
    .scaleLog()
    .domain([(d3.min(ys) ?? 1) / 1.15, (d3.max(ys) ?? 10) * 1.15])
    .range([H - m.b, m.t]);
  drawFrame(
    svg,
    { W, H, m },
    x,
    (a) => a.ticks(8).tickFormat(d3.format('.1f')),
    d3.axisLeft(y).ticks(6, '~s'),
    { title, y: 'perplexity (log scale)', x: 'mean sparsity S' },
  );
  if (dense !== null) {
    svg
      .append('line')
      .attr('data-field', 'dense')
      .attr('x1', m.l)
      .attr('x2', W - m.r)
      .attr('y1', y(dense))
      .attr('y2', y(dense))
      .attr('stroke', '#999')
      .attr('stroke-dasharray', '2 3');
    svg
      .append('text')
      .attr('x', W - m.r + 6)
      .attr('y', y(dense) + 4)
      .attr('font-size', 11)
      .attr('fill', '#666')
      .text(`dense ${dense.toFixed(2)}`);
  }
  const tip = svg.append('text').attr('font-size', 11).attr('data-field', 'sweep-tip');
  lines.forEach((ln, i) => {
    const color = COLORS[ln.method] ?? '#333';
    const pts = [...ln.points].sort((a, b) => a.S - b.S);
    const g = svg.append('g').attr('data-line', `${ln.method}-${ln.allocation}`);
    g.append('path')
      .attr(
        'd',
        d3.line<{ S: number; ppl: number }>(
          (p) => x(p.S),
          (p) => y(p.ppl),
        )(pts),
      )
      .attr('fill', 'none')
      .attr('stroke', color)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', allocationKind(ln.allocation).dash);
    g.selectAll('path.point')
      .data(pts)
      .join('path')
      .attr('class', 'point')
      .attr('data-point', (p) => p.S)
      .attr('d', marker(ln.allocation))
      .attr('transform', (p) => `translate(${x(p.S)},${y(p.ppl)})`)
      .attr('fill', allocationKind(ln.allocation).baseline ? 'white' : color)
      .attr('stroke', color)
      .on('mouseenter', (_, p) =>
        tip
          .attr('x', x(p.S) + 6)
          .attr('y', y(p.ppl) - 8)
          .text(`${ln.method} ${ln.allocation}, S = ${p.S}: ${p.ppl.toFixed(2)}`),
      )
      .on('mouseleave', () => tip.text(''));
    const ly = m.t + 4 + i * 18;
    svg
      .append('line')
      .attr('x1', W - m.r + 6)
      .attr('x2', W - m.r + 30)
      .attr('y1', ly + 16)
      .attr('y2', ly + 16)
      .attr('stroke', color)
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', allocationKind(ln.allocation).dash);
    svg
      .append('path')
      .attr('d', marker(ln.allocation))
      .attr('transform', `translate(${W - m.r + 18},${ly + 16})`)
      .attr('fill', allocationKind(ln.allocation).baseline ? 'white' : color)
      .attr('stroke', color);
    svg
      .append('text')
      .attr('x', W - m.r + 34)
      .attr('y', ly + 20)
      .attr('font-size', 11)
      .text(`${ln.method}, ${allocationKind(ln.allocation).label}`);
  });
}
