// Text measured before layout, so that labels, legends and titles are never clipped: widths from
// the browser's canvas where there is one (OffscreenCanvas), else an estimate per character
// (Node and jsdom, for the SVG tests). Pure functions; no DOM needed.

const FONT = 'system-ui, sans-serif';
let ctx: OffscreenCanvasRenderingContext2D | null | undefined;

function context(): OffscreenCanvasRenderingContext2D | null {
  if (ctx === undefined)
    ctx =
      typeof OffscreenCanvas === 'undefined' ? null : new OffscreenCanvas(1, 1).getContext('2d');
  return ctx;
}

/** Width in px of `text` at `size` px (bold when `weight` ≥ 600). */
export function textWidth(text: string, size: number, weight = 400): number {
  const c = context();
  if (c) {
    c.font = `${weight} ${size}px ${FONT}`;
    return c.measureText(text).width;
  }
  // an upper estimate for proportional sans-serif: wide letters and digits ≈ 0.62 em
  return text.length * size * (weight >= 600 ? 0.66 : 0.62);
}

/** `text`, cut with an ellipsis where it is wider than `max` px at `size` px. */
export function fitText(text: string, max: number, size: number, weight = 400): string {
  if (textWidth(text, size, weight) <= max) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(`${text.slice(0, mid)}…`, size, weight) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}
