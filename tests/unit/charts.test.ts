// @vitest-environment jsdom
// Every chart drawn into a jsdom SVG (as Observable Plot tests its marks): the marks and text a
// reader sees, and a snapshot of the whole SVG (tests/unit/snapshots/*.svg) so that any change
// to a drawing shows in review. Widths of text are the estimate src/charts/text.ts uses without a
// canvas (an upper bound for sans-serif), so "fits" here means fits in a browser too.
import { describe, expect, it } from 'vitest';
import { draw } from '../../src/charts/layers';
import type { LayerSeries } from '../../src/analysis/views';
import { drawGrid } from '../../src/charts/grid';
import { drawBoxplot } from '../../src/charts/boxplot';
import { drawSweep } from '../../src/charts/prune';
import { drawRhoPerLayer, drawStsScatter } from '../../src/charts/sts';
import { drawLayerBrush } from '../../src/charts/brush';
import { textWidth } from '../../src/charts/text';
import { logTick, powerOfTen, sig4 } from '../../src/charts/ticks';
import type { BoxStats } from '../../src/analysis/views';

const svgEl = () => {
  const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  document.body.appendChild(el);
  return el;
};
const texts = (el: SVGSVGElement, sel = 'text') =>
  [...el.querySelectorAll(sel)].map((t) => t.childNodes[0]?.textContent ?? '');
const snapshot = (el: SVGSVGElement, name: string) =>
  expect(el.outerHTML.replace(/></g, '>\n<')).toMatchFileSnapshot(`./snapshots/${name}.svg`);

/** Every text's box (estimated, from its anchor) lies inside the SVG's width. */
function expectTextInside(el: SVGSVGElement) {
  const W = Number(el.getAttribute('width'));
  for (const t of el.querySelectorAll('text')) {
    if (t.closest('[data-crosshair]') || t.closest('.tick')) continue;
    const s = t.childNodes[0]?.textContent ?? '';
    const size = Number(t.getAttribute('font-size') ?? 10);
    const x = Number(t.getAttribute('x') ?? 0);
    const anchor = t.getAttribute('text-anchor');
    const w = textWidth(s, size, Number(t.getAttribute('font-weight') ?? 400));
    const left = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
    if (t.getAttribute('transform')) continue; // the rotated y label
    expect(left, `"${s}" starts inside`).toBeGreaterThanOrEqual(-0.5);
    expect(left + w, `"${s}" ends inside ${W}`).toBeLessThanOrEqual(W + 0.5);
  }
}

const series = (n: number, L = 8): LayerSeries[] =>
  Array.from({ length: n }, (_, k) => ({
    name: `set ${k}`,
    values: Array.from({ length: L }, (_, l) => 0.5 + 0.04 * k + 0.01 * Math.sin(l + k)),
  }));

describe('number formats', () => {
  it('writes powers of ten with superscripts and values to 4 significant figures', () => {
    expect([powerOfTen(-3), powerOfTen(0), powerOfTen(1), powerOfTen(12)]).toEqual([
      '10⁻³',
      '1',
      '10',
      '10¹²',
    ]);
    expect([logTick(1e-4), logTick(3e-4), logTick(100)]).toEqual(['10⁻⁴', '', '10²']);
    expect([sig4(0.987654), sig4(1.23456e-5), sig4(0), sig4(123456)]).toEqual([
      '0.9877',
      '1.235×10⁻⁵',
      '0',
      '1.235×10⁵',
    ]);
  });
});

describe('layer line chart', () => {
  it('draws every series with its values, a measured legend and nothing outside the SVG', async () => {
    const el = svgEl();
    const data = [
      ...series(2),
      {
        name: 'aphorisms within the 3rd edition of the collected works (i, i+1)',
        values: [0.3, 0.4, 0.35, 0.2, 0.5, 0.45, 0.4, 0.3],
      },
    ];
    draw(el, data, {
      title:
        'Density per layer at γ = 5.0e-4 over a deliberately long title that must not be clipped',
      yLabel: 'density',
      yMax: 1,
      excluded: [0],
    });
    expect(el.querySelectorAll('[data-series]')).toHaveLength(3);
    expect(el.querySelectorAll('[data-series="set 0"] circle')).toHaveLength(8);
    expect(el.querySelectorAll('[data-excluded]')).toHaveLength(1);
    // the long legend name is cut with an ellipsis and kept whole in a <title>
    const legend = [...el.querySelectorAll('svg > text')].find((t) =>
      t.textContent?.includes('aphorisms'),
    )!;
    expect(legend.childNodes[0].textContent).toMatch(/…$/);
    expect(legend.querySelector('title')!.textContent).toBe(data[2].name);
    // so is the title, which keeps its full text for hover and screen readers
    expect(el.querySelector(':scope > title')!.textContent).toMatch(/must not be clipped$/);
    expectTextInside(el);
    // hover titles carry 4 significant figures, not 16 digits
    const title = el.querySelector('[data-series="set 1"] circle title')!.textContent!;
    expect(title).toMatch(/^set 1, layer 0: 0\.\d{1,4}$/);
    await snapshot(el, 'layers-linear');
  });

  it('labels a log axis in powers of ten and marks the values ≤ 0 it cannot draw', async () => {
    const el = svgEl();
    const values = [3e-6, 1e-5, 0, 4e-4, 2e-3, 0, 1e-2, 5e-3];
    draw(el, [{ name: 'A', values }], { title: 'mean A', yLabel: 'mean A', logY: true });
    const ticks = texts(el, '.tick text').filter(Boolean);
    expect(ticks).toContain('10⁻³');
    expect(ticks.every((t) => /^(1|10|10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.test(t) || /^\d+$/.test(t))).toBe(true);
    expect(ticks.some((t) => /e[+-]/.test(t))).toBe(false);
    expect(el.querySelectorAll('[data-series="A"] circle')).toHaveLength(6);
    expect([...el.querySelectorAll('[data-zero]')].map((z) => z.getAttribute('data-zero'))).toEqual(
      ['2', '5'],
    );
    expect(el.querySelector('[data-zero-note]')!.textContent).toMatch(/below the log scale/);
    await snapshot(el, 'layers-log');
  });

  it('ticks whole layers only (3 layers: 0, 1, 2; 32 layers: every other)', () => {
    const el = svgEl();
    draw(el, [{ name: 'A', values: [0.1, 0.2, 0.3] }], { title: 't', yLabel: 'y' });
    const xTicks = (svg: SVGSVGElement) =>
      [...svg.querySelectorAll('g')]
        .find((g) => g.getAttribute('transform')?.startsWith('translate(0,'))!
        .querySelectorAll('.tick text');
    expect([...xTicks(el)].map((t) => t.textContent)).toEqual(['0', '1', '2']);
    const deep = svgEl();
    draw(deep, [{ name: 'A', values: Array.from({ length: 32 }, (_, l) => l / 32) }], {
      title: 't',
      yLabel: 'y',
    });
    expect([...xTicks(deep)].map((t) => t.textContent)).toEqual(
      Array.from({ length: 16 }, (_, k) => String(2 * k)),
    );
  });

  it('tells lines apart past the palette (dashes) and keeps the caller’s dash', () => {
    const el = svgEl();
    const data = series(12);
    data[1].dash = '6 3';
    draw(el, data, { title: 't', yLabel: 'y' });
    const dash = (name: string) =>
      el.querySelector(`[data-series="${name}"] path`)!.getAttribute('stroke-dasharray');
    expect(dash('set 0')).toBeNull();
    expect(dash('set 1')).toBe('6 3');
    expect(dash('set 10')).toBe('6 3');
    expect(el.querySelector('[data-series="set 10"] path')!.getAttribute('stroke')).toBe(
      el.querySelector('[data-series="set 0"] path')!.getAttribute('stroke'),
    );
  });

  it('has one crosshair tooltip for all series: nearest layer, 4 figures, click pins, keys move it', () => {
    const el = svgEl();
    const data = [
      { name: 'A', values: [0.1, 0.123456, 0.3, 0.4], color: '#111' },
      { name: 'B', values: [0.9, 0.87654321, 0.7, 0.6], color: '#222' },
    ];
    draw(el, data, { title: 't', yLabel: 'y', width: 640 });
    const overlay = el.querySelector('[data-overlay]')!;
    const cross = el.querySelector('[data-crosshair]') as SVGGElement;
    expect(cross.style.display).toBe('none');
    // layer 1 of 0…3 sits a third of the way across the plot area [60, W − right margin]
    const x0 = Number(overlay.getAttribute('x'));
    const w = Number(overlay.getAttribute('width'));
    const at = (l: number) => x0 + (w * l) / 3;
    const move = (cx: number, type = 'pointermove') =>
      overlay.dispatchEvent(new MouseEvent(type, { clientX: cx, clientY: 100, bubbles: true }));
    move(at(1) + 10);
    expect(cross.style.display).toBe('');
    expect(cross.getAttribute('data-layer')).toBe('1');
    expect(texts(el, '[data-crosshair] text')).toEqual(['layer 1', 'A: 0.1235', 'B: 0.8765']);
    overlay.dispatchEvent(new MouseEvent('click', { clientX: at(2), clientY: 100, bubbles: true }));
    expect(cross.getAttribute('data-layer')).toBe('2');
    expect(texts(el, '[data-crosshair] text')[0]).toBe('layer 2 (pinned)');
    move(at(0));
    move(at(0), 'pointerleave');
    expect(cross.getAttribute('data-layer')).toBe('2'); // pinned: stays
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    expect(cross.getAttribute('data-layer')).toBe('3');
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }));
    expect(cross.getAttribute('data-layer')).toBe('3'); // the last layer
    el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(cross.style.display).toBe('none');
    expect(el.getAttribute('tabindex')).toBe('0');
  });
});

describe('heatmap grid', () => {
  const rows = ['layer 0', 'layer 1', 'layer 2'];
  const cols = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'];
  const values = rows.map((_, i) => cols.map((_, j) => 0.975 + 0.0025 * i + 0.001 * j));

  it('colours a fraction on its fixed 0–1 scale, so near-equal cells look near-equal', async () => {
    const el = svgEl();
    drawGrid(el, rows, cols, values, {
      title: 'fraction active',
      rowLabel: 'layer',
      colLabel: 'matrix',
      domain: [0, 1],
      cell: 40,
    });
    const fills = [...el.querySelectorAll('[data-cell] rect')].map((r) => r.getAttribute('fill'));
    expect(new Set(fills).size).toBeLessThanOrEqual(4); // 0.975…0.9935 on 0–1: one hue
    expect(el.querySelector('[data-domain="fixed"]')).not.toBeNull();
    expectTextInside(el);
    await snapshot(el, 'grid-fixed');
    // fitted to the data the same cells spread over the whole palette
    const fit = svgEl();
    drawGrid(fit, rows, cols, values, {
      title: 'fraction active',
      rowLabel: 'layer',
      colLabel: 'matrix',
      cell: 40,
    });
    const spread = [...fit.querySelectorAll('[data-cell] rect')].map((r) => r.getAttribute('fill'));
    expect(new Set(spread).size).toBeGreaterThan(10);
    expect(fit.querySelector('[data-domain="fixed"]')).toBeNull();
  });

  it('labels a cell only where its value fits, and draws the same SVG twice', () => {
    const small = svgEl();
    const opts = { title: 't', rowLabel: 'r', colLabel: 'c', format: (v: number) => v.toFixed(7) };
    drawGrid(small, rows, cols, values, { ...opts, cell: 20 });
    expect(small.querySelectorAll('[data-cell] text')).toHaveLength(0);
    const big = svgEl();
    drawGrid(big, rows, cols, values, { ...opts, cell: 64 });
    expect(big.querySelectorAll('[data-cell] text')).toHaveLength(21);
    const again = svgEl();
    drawGrid(again, rows, cols, values, { ...opts, cell: 64 });
    expect(again.outerHTML).toBe(big.outerHTML);
    expect(big.querySelector('[data-cell="0,0"] title')!.textContent).toBe('layer 0 · q: 0.975');
  });
});

describe('the other charts', () => {
  it('boxplot, pruning sweep, ρ per layer, STS scatter and the layer brush draw their marks', async () => {
    const boxes: BoxStats[] = [0, 1, 2].map((l) => ({
      layer: l,
      n: 5,
      min: 0.1 * l,
      q1: 0.1 * l + 0.1,
      median: 0.1 * l + 0.2,
      q3: 0.1 * l + 0.3,
      max: 0.1 * l + 0.4,
      mean: 0.1 * l + 0.2,
      lo: 0.1 * l,
      hi: 0.1 * l + 0.4,
      outliers: [],
    }));
    const box = svgEl();
    drawBoxplot(box, boxes, { title: 'LLMDcos per layer', yLabel: 'LLMDcos' });
    expect(box.querySelectorAll('rect').length).toBeGreaterThan(3);
    await snapshot(box, 'boxplot');
    const sweep = svgEl();
    drawSweep(
      sweep,
      [
        {
          method: 'wanda',
          allocation: 'uniform',
          points: [
            { S: 0.3, ppl: 10 },
            { S: 0.5, ppl: 14 },
          ],
        },
      ],
      9,
      'perplexity',
    );
    expect(sweep.querySelectorAll('[data-line] [data-point]')).toHaveLength(2);
    await snapshot(sweep, 'prune-sweep');
    const rho = svgEl();
    drawRhoPerLayer(
      rho,
      {
        perLayer: [0.1, 0.3, null, 0.5],
        window: [1, 3],
        rho: 0.4,
        interval: [0.2, 0.6],
        baseline: 0.25,
        title: 'ρ per layer',
      },
      () => {},
    );
    await snapshot(rho, 'sts-rho');
    const sc = svgEl();
    drawStsScatter(
      sc,
      [
        { gold: 1, score: 0.2 },
        { gold: 3, score: 0.5 },
        { gold: 5, score: 0.9 },
      ],
      { title: 'gold vs score', y: 'LLMDcos' },
      () => {},
    );
    expect(sc.querySelectorAll('circle')).toHaveLength(3);
    await snapshot(sc, 'sts-scatter');
    const brush = svgEl();
    drawLayerBrush(brush, 8, [0, 7], () => {});
    await snapshot(brush, 'layer-brush');
    for (const el of [box, sweep, rho, sc])
      expect(texts(el).some((t) => /e[+-]\d/.test(t))).toBe(false);
  });
});
