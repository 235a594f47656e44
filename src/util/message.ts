// Messages a person reads: one line, at most MESSAGE_MAX characters, with control and other
// non-printing characters from files shown as escapes (\x00, \u0001, \u202e) instead of raw bytes.

/** The longest message we show (longer ones are cut with "…"). */
export const MESSAGE_MAX = 300;

// C0 and C1 controls, DEL, zero-width and bidirectional marks, line/paragraph separators, BOM,
// and lone surrogates
const NON_PRINTING =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with every non-printing character escaped: \xNN below 0x100, else \uNNNN. */
export function printable(s: string): string {
  return s.replace(NON_PRINTING, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x100
      ? `\\x${c.toString(16).padStart(2, '0')}`
      : `\\u${c.toString(16).padStart(4, '0')}`;
  });
}

/** `s` escaped and cut to `max` characters (whole escapes only), ending in "…" when cut. */
export function clip(s: string, max: number): string {
  const p = printable(s);
  if (p.length <= max) return p;
  let cut = p.slice(0, max - 1);
  // do not end inside an escape or between the halves of a surrogate pair
  cut = cut.replace(/\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$/, '');
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A name or value from a file, quoted and shortened for a message: "blk.0.attn_q\x01". */
export function quoted(s: string, max = 80): string {
  return `"${clip(s, max)}"`;
}

/** A whole message: one line, escaped, at most MESSAGE_MAX characters. */
export function oneLine(s: string, max = MESSAGE_MAX): string {
  return clip(s.replace(/\s*\n\s*/g, ' '), max);
}

/**
 * What a lab says when its run ends early: cancelled (the `noun` in progress dropped, finished
 * `done` kept) or failed (the error named on one line, nothing of the failed `noun` kept).
 */
export function endedEarly(e: unknown, noun: string, done: string): string {
  const err = e as Error;
  return err.name === 'AbortError'
    ? `Cancelled: the ${noun} in progress was not kept; finished ${done} are.`
    : `${err.name}: ${oneLine(err.message)} Nothing of the failed ${noun} was kept.`;
}

/** How many characters of a name the page shows (the whole name goes in a title). */
export const NAME_SHOWN = 60;

/** A name (a set's, a file's, a model's) cut to `max` characters for the page, "…" when cut. */
export function shortName(s: string, max = NAME_SHOWN): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A name for plain text where no element can isolate it (menu options): shortened, between
 * FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, so that its bidi marks cannot reorder what
 * follows it.
 */
export function isolatedName(s: string, max = NAME_SHOWN): string {
  return `\u2068${shortName(s, max)}\u2069`;
}
