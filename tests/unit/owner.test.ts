// Two tabs: the first owns the saved session, the second is told so and never writes over it.
import { describe, expect, it } from 'vitest';
import { claimSession } from '../../src/stores/owner';
import { restoreLastSession, saveLastSession } from '../../src/stores/persist';
import { cache } from '../../src/stores/cache.svelte';
import { session } from '../../src/stores/session.svelte';

/** A LockManager as browsers implement it: a held name waits, until its signal aborts. */
function fakeLocks(): LockManager {
  const held = new Map<string, Promise<unknown>>();
  return {
    request: (async (name: string, opts: LockOptions, cb: (l: Lock | null) => unknown) => {
      while (held.has(name)) {
        const abort = new Promise((_, bad) =>
          opts.signal?.addEventListener('abort', () => bad(opts.signal!.reason)),
        );
        await Promise.race([held.get(name), abort]);
      }
      const run = Promise.resolve(cb({ name, mode: 'exclusive' } as Lock));
      held.set(name, run);
      try {
        return await run;
      } finally {
        held.delete(name);
      }
    }) as LockManager['request'],
    query: async () => ({ held: [], pending: [] }),
  };
}

describe('one tab owns the session', () => {
  it('the first tab to ask owns it, a second does not', async () => {
    const locks = fakeLocks();
    expect(await claimSession(locks, 50)).toBe(true);
    expect(await claimSession(locks, 50)).toBe(false);
    expect(await claimSession(undefined)).toBe(true); // no Web Locks: as before
  });

  it("a tab that does not own it never writes over the owner's session", async () => {
    await cache.clear();
    session.sets = [{ name: 'owner', color: '#000000', samples: [{ source: 's', text: 'x' }] }];
    await saveLastSession();
    session.readOnly = true;
    session.sets = [];
    await saveLastSession();
    session.readOnly = false;
    expect(await restoreLastSession()).toEqual({ kind: 'restored' });
    expect(session.sets.map((s) => s.name)).toEqual(['owner']);
  });

  it('a tab that does not own it leaves a failing session where it is (the owner sets it aside)', async () => {
    await cache.clear();
    session.sets = [{ name: 'owner', color: '#000000', samples: [{ source: 's', text: 'x' }] }];
    await saveLastSession();
    const stored = await cache.get<Record<string, unknown>>('session:last');
    const bad = { ...stored!, data: { ...stored!.data, sets: [{ name: 'a', samples: 7 }] } };
    await cache.putMany([['session:last', bad]]);
    session.readOnly = true;
    const o = await restoreLastSession();
    session.readOnly = false;
    expect(o).toEqual({
      kind: 'set-aside',
      key: 'session:last',
      reason: 'sets[0].samples: not an array',
    });
    expect((await cache.get('session:last'))?.data).toEqual(bad.data);
    expect((await cache.list()).map((e) => e.key)).toEqual(['session:last']);
  });
});
