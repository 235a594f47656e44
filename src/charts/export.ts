// Chart files: an SVG as text, and a PNG drawn from it through an <img> and a canvas (all local:
// the SVG is self-contained, no fonts or images are fetched).
export function svgString(el: SVGSVGElement): string {
  const clone = el.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('font-family', 'DejaVu Sans, Arial, sans-serif');
  return new XMLSerializer().serializeToString(clone);
}

/** The chart as a PNG at `scale` × its viewBox size. */
export async function svgToPng(el: SVGSVGElement, scale = 2): Promise<Blob> {
  const vb = el.viewBox.baseVal;
  const w = Math.round((vb?.width || el.clientWidth || 640) * scale);
  const h = Math.round((vb?.height || el.clientHeight || 320) * scale);
  const url = URL.createObjectURL(new Blob([svgString(el)], { type: 'image/svg+xml' }));
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
