// Names from files in the page (src/util/message.ts shortName, isolatedName): cut by characters
// (never inside a surrogate pair), isolated for menus so that their bidi marks stay inside.
import { describe, expect, it } from 'vitest';
import { isolatedName, NAME_SHOWN, shortName } from '../../src/util/message';

describe('names in the page', () => {
  it('cuts a long name to NAME_SHOWN characters ending in "…", leaves a short one', () => {
    expect(shortName('bible')).toBe('bible');
    const long = 'x'.repeat(5000);
    expect(shortName(long)).toBe(`${'x'.repeat(NAME_SHOWN - 1)}…`);
    expect([...shortName(long)]).toHaveLength(NAME_SHOWN);
    expect(shortName('abcdef', 4)).toBe('abc…');
  });

  it('never splits a character outside the basic plane', () => {
    const emoji = '😀'.repeat(100); // two UTF-16 units each
    const cut = shortName(emoji, 10);
    expect(cut).toBe(`${'😀'.repeat(9)}…`);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut)).toBe(false);
  });

  it('isolates a name for menus: first-strong isolate … pop directional isolate', () => {
    const rlo = '\u202Eevil';
    expect(isolatedName(rlo)).toBe(`\u2068${rlo}\u2069`);
    expect(isolatedName('x'.repeat(100))).toBe(`\u2068${'x'.repeat(NAME_SHOWN - 1)}…\u2069`);
  });
});
