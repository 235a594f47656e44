// Renders the demo model's Finding 1 and Finding 2 plots from a results file made by
// `npm run analyze` (see models/demo/README.md for the exact command): density per layer per
// domain, and LLMDcos per layer for same-domain vs cross-domain pairs. Writes SVG and PNG
// (the PNG through headless Chromium) and prints the numbers.
//   node --import tsx models/demo/findings.ts results.json models/demo/findings
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Results } from '../../src/analysis/results';

const [input, outDir] = process.argv.slice(2);
const r = JSON.parse(readFileSync(input, 'utf8')) as Results;
mkdirSync(outDir, { recursive: true });
const L = r.model.config.blockCount;
const perLayer = r.model.matrixParameters.reduce((a, b) => a + b, 0);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function lineChart(
  title: string,
  ylabel: string,
  series: { name: string; values: number[] }[],
  yMax?: number,
): string {
  const W = 640;
  const H = 380;
  const m = { l: 64, r: 150, t: 34, b: 46 };
  const all = series.flatMap((s) => s.values);
  const top = yMax ?? Math.max(...all) * 1.08;
  const x = (l: number) => m.l + (l / (L - 1)) * (W - m.l - m.r);
  const y = (v: number) => H - m.b - (v / top) * (H - m.t - m.b);
  const ticks = Array.from({ length: 6 }, (_, i) => (top * i) / 5);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>`;
  s += `<text x="${W / 2 - 60}" y="20" font-size="14" text-anchor="middle">${title}</text>`;
  for (const t of ticks)
    s += `<line x1="${m.l}" x2="${W - m.r}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t.toPrecision(2)}</text>`;
  for (let l = 0; l < L; l++)
    s += `<text x="${x(l)}" y="${H - m.b + 16}" text-anchor="middle">${l}</text>`;
  s += `<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">layer (0-based)</text>`;
  s += `<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${ylabel}</text>`;
  series.forEach((se, i) => {
    const c = COLORS[i % COLORS.length];
    s += `<polyline fill="none" stroke="${c}" stroke-width="2" points="${se.values.map((v, l) => `${x(l)},${y(v)}`).join(' ')}"/>`;
    se.values.forEach((v, l) => (s += `<circle cx="${x(l)}" cy="${y(v)}" r="3" fill="${c}"/>`));
    s += `<rect x="${W - m.r + 12}" y="${m.t + i * 20}" width="12" height="3" fill="${c}"/><text x="${W - m.r + 30}" y="${m.t + i * 20 + 5}">${se.name}</text>`;
  });
  return s + '</svg>';
}

// Finding 1: fraction of a layer's parameters whose mean A over the set is above γ
const k = Number(process.env.GAMMA_INDEX ?? 2);
const gamma = r.settings.thresholds[k];
const domains = r.sets.filter((s) => s.name.endsWith('-a'));
const density = domains.map((s) => ({
  name: s.name.replace(/-a$/, ''),
  values: s.density.counts.map((row) => row.reduce((a, c) => a + c[k], 0) / perLayer),
}));
const f1 = lineChart(
  `Finding 1: activated parameters per layer (mean A > ${gamma})`,
  'fraction of the layer',
  density,
);

// Finding 2: mean LLMDcos per layer over the index pairs, same-domain vs cross-domain
const mean = (rows: number[][]) =>
  Array.from({ length: L }, (_, l) => rows.reduce((a, row) => a + row[l], 0) / rows.length);
const same = r.pairs.filter((p) => p.a.replace(/-a$/, '') === p.b.replace(/-b$/, ''));
const cross = r.pairs.filter((p) => p.a.replace(/-a$/, '') !== p.b.replace(/-b$/, ''));
const series2 = [
  { name: 'same domain', values: mean(same.flatMap((p) => p.llmdcos)) },
  { name: 'cross domain', values: mean(cross.flatMap((p) => p.llmdcos)) },
  ...same
    .map((p) => ({ name: `${p.a.replace(/-a$/, '')} (same)`, values: mean(p.llmdcos) }))
    .slice(0, 0),
];
const f2 = lineChart('Finding 2: LLMDcos per layer (mean over index pairs)', 'LLMDcos', series2, 1);

writeFileSync(`${outDir}/finding1-density.svg`, f1);
writeFileSync(`${outDir}/finding2-llmdcos.svg`, f2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
const page = await browser.newPage({ viewport: { width: 640, height: 380 } });
for (const [name, svg] of [
  ['finding1-density', f1],
  ['finding2-llmdcos', f2],
] as const) {
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  await page.screenshot({ path: `${outDir}/${name}.png` });
}
await browser.close();
console.log(
  JSON.stringify(
    {
      gamma,
      density,
      llmdcos: { same: series2[0].values, cross: series2[1].values },
      perPair: r.pairs.map((p) => ({ a: p.a, b: p.b, mean: mean(p.llmdcos) })),
    },
    null,
    1,
  ),
);
