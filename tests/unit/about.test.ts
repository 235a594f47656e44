// @vitest-environment jsdom
// An exported figure says what it shows: the line of src/analysis/about.ts written under the
// chart in its SVG (and so its PNG), the viewBox grown to hold it; names from files escaped.
import { describe, expect, it } from 'vitest';
import { pruneAbout, resultsAbout } from '../../src/analysis/about';
import { svgString } from '../../src/charts/export';
import type { Results } from '../../src/analysis/results';

const results = {
  model: { name: 'Llama-2-7B Q4_0' },
  sets: [{ name: 'news' }, { name: 'code\u202e' }],
  settings: { metric: 'grad_x_weight', maxTokens: 128 },
  engine: { backend: 'gpu', precision: 'f16', adapter: 'nvidia' },
} as unknown as Results;

describe('what a figure shows', () => {
  it('names the model, sets, metric, γ, token limit and engine', () => {
    expect(resultsAbout(results, 2e-6)).toBe(
      'Llama-2-7B Q4_0 · sets news, code\\u202e · grad_x_weight · γ 2.0e-6 · ≤ 128 tokens · gpu f16 (nvidia)',
    );
    expect(pruneAbout('m', 'wiki', '')).toBe('m · perplexity on wiki · calibration —');
  });

  it('is written into the exported SVG under the chart', () => {
    const ns = 'http://www.w3.org/2000/svg';
    const el = document.createElementNS(ns, 'svg') as SVGSVGElement;
    el.setAttribute('viewBox', '0 0 640 320');
    const text = svgString(el, resultsAbout(results, 2e-6));
    // (read as text: jsdom's serializer repeats the xmlns attribute, which its parser refuses)
    expect(text).toMatch(/<svg [^>]*viewBox="0 0 640 338"/);
    const about = /<text ([^>]*)data-about="">([^<]*)<\/text>/.exec(text);
    expect(about?.[2]).toContain('γ 2.0e-6');
    expect(Number(/y="([\d.]+)"/.exec(about![1])![1])).toBeGreaterThan(320);
    // without a line, the chart is as drawn
    expect(svgString(el)).not.toContain('data-about');
  });
});
