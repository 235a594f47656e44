// Chart files: an SVG as text, and a PNG drawn from it through an <img> and a canvas (all local:
// the SVG is self-contained, no fonts or images are fetched).
// `about` (what the chart shows: src/analysis/about.ts) is written under the chart, in a strip
// the viewBox grows by, so the file says what it was measured on.
const ABOUT_H = 18;

/** The chart's viewBox from its attribute (null without a usable one). */
function viewBoxOf(
  el: SVGSVGElement,
): { x: number; y: number; width: number; height: number } | null {
  const [x, y, width, height] = (el.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
  return width > 0 && height > 0 && Number.isFinite(x + y) ? { x, y, width, height } : null;
}

/** The height the exported chart gains for its `about` line (0 where it gets none). */
const aboutStrip = (el: SVGSVGElement, about: string) => (about && viewBoxOf(el) ? ABOUT_H : 0);

export function svgString(el: SVGSVGElement, about = ''): string {
  const clone = el.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('font-family', 'DejaVu Sans, Arial, sans-serif');
  const vb = viewBoxOf(el);
  if (about && vb) {
    const { x, y, width, height } = vb;
    clone.setAttribute('viewBox', `${x} ${y} ${width} ${height + ABOUT_H}`);
    const h = clone.getAttribute('height');
    if (h && /^\d+(\.\d+)?$/.test(h)) clone.setAttribute('height', String(Number(h) + ABOUT_H));
    const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    t.setAttribute('x', String(x + 4));
    t.setAttribute('y', String(y + height + ABOUT_H - 5));
    t.setAttribute('font-size', '10');
    t.setAttribute('fill', '#555');
    t.setAttribute('data-about', '');
    t.textContent = about;
    clone.appendChild(t);
  }
  return new XMLSerializer().serializeToString(clone);
}

/** The chart as a PNG at `scale` × its viewBox size. */
export async function svgToPng(el: SVGSVGElement, about = '', scale = 2): Promise<Blob> {
  const vb = el.viewBox.baseVal;
  const w = Math.round((vb?.width || el.clientWidth || 640) * scale);
  const h = Math.round(((vb?.height || el.clientHeight || 320) + aboutStrip(el, about)) * scale);
  const url = URL.createObjectURL(new Blob([svgString(el, about)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.width = w;
    img.height = h;
    await new Promise<void>((ok, bad) => {
      img.onload = () => ok();
      img.onerror = () => bad(new Error('the chart could not be rendered to PNG'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d')!;
    g.fillStyle = 'white';
    g.fillRect(0, 0, w, h);
    g.drawImage(img, 0, 0, w, h);
    return await new Promise<Blob>((ok, bad) =>
      canvas.toBlob((b) => (b ? ok(b) : bad(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
