// Several sample files dropped at once make one set per file, named after each (they made one
// mixed set named after the first); dropped on a set they all join it; one bad file adds nothing.
import { beforeEach, describe, expect, it } from 'vitest';
import { addSetFromFiles } from '../../src/stores/sets';
import { notify, session } from '../../src/stores/session.svelte';

const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });

describe('sample files dropped together', () => {
  beforeEach(() => {
    session.sets = [];
    session.setsError = '';
  });

  it('one new set per file, each named after its file and holding its samples', async () => {
    await addSetFromFiles('', [
      file('news.txt', 'one\n\ntwo'),
      file('code.jsonl', '{"text": "x = 1"}\n'),
      file('news.csv', 'text\nthree\n'),
    ]);
    expect(session.setsError).toBe('');
    expect(session.sets.map((s) => [s.name, s.samples.map((x) => x.text)])).toEqual([
      ['news', ['one', 'two']],
      ['code', ['x = 1']],
      ['news-2', ['three']],
    ]);
  });

  it('dropped on a set, all files join it', async () => {
    await addSetFromFiles('', [file('a.txt', 'one')]);
    await addSetFromFiles('', [file('b.txt', 'two'), file('c.txt', 'three')], 'a');
    expect(session.sets.map((s) => [s.name, s.samples.length])).toEqual([['a', 3]]);
  });

  it('a refused file adds nothing and is named', async () => {
    await addSetFromFiles('', [file('ok.txt', 'fine'), file('bad.bin', 'x')]);
    expect(session.sets).toEqual([]);
    expect(session.setsError).toMatch(/bad\.bin/);
  });

  it('a notice naming a file escapes bidi and zero-width characters and is cut to 600 characters', () => {
    notify(`Added a new set from \u202Egnp.exe\u200B.txt`);
    expect(session.notice).toBe('Added a new set from \\u202egnp.exe\\u200b.txt');
    notify(`Added a new set from ${'x'.repeat(5000)}.txt`, { error: true });
    expect(session.notice.length).toBeLessThanOrEqual(600);
    expect(session.notice.endsWith('…')).toBe(true);
  });
});
