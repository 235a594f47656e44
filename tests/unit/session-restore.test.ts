// A cached last session that fails validation is set aside — never loaded, never overwritten by
// the autosave — and safe mode sets it aside unopened; a valid one is restored.
import { beforeEach, describe, expect, it } from 'vitest';
import { restoreLastSession, saveLastSession } from '../../src/stores/persist';
import { cache } from '../../src/stores/cache.svelte';
import { session } from '../../src/stores/session.svelte';

describe('restoring the last session', () => {
  beforeEach(async () => {
    await cache.clear();
    session.sets = [];
  });

  it('a valid session comes back', async () => {
    session.sets = [{ name: 'mine', color: '#123456', samples: [{ source: 's', text: 'hello' }] }];
    await saveLastSession();
    session.sets = [];
    expect(await restoreLastSession()).toEqual({ kind: 'restored' });
    expect(session.sets.map((s) => s.name)).toEqual(['mine']);
  });

  it('a corrupt one is set aside with its reason, kept whole, and not loaded', async () => {
    session.sets = [{ name: 'mine', color: '#123456', samples: [{ source: 's', text: 'hello' }] }];
    await saveLastSession();
    const stored = await cache.get<Record<string, unknown>>('session:last');
    const bad = { ...stored!, data: { ...stored!.data, sets: [{ name: 'a', samples: 7 }] } };
    await cache.putMany([['session:last', bad]]);
    session.sets = [];
    const o = await restoreLastSession();
    expect(o.kind).toBe('set-aside');
    if (o.kind !== 'set-aside') return;
    expect(o.reason).toBe('sets[0].samples: not an array');
    expect(session.sets).toEqual([]);
    // the autosave now writes 'session:last' without touching the set-aside copy
    await saveLastSession();
    const kept = await cache.get<Record<string, unknown>>(o.key);
    expect(kept?.data).toEqual(bad.data);
    expect((await cache.list()).map((e) => e.label)).toContain(
      'set-aside session (sets[0].samples: not an array)',
    );
  });

  it('safe mode sets a valid session aside unopened', async () => {
    session.sets = [{ name: 'big', color: '#123456', samples: [{ source: 's', text: 'x' }] }];
    await saveLastSession();
    session.sets = [];
    const o = await restoreLastSession({ safe: true });
    expect(o).toMatchObject({
      kind: 'set-aside',
      reason: 'opened in safe mode, without restoring',
    });
    expect(session.sets).toEqual([]);
    expect(await cache.get('session:last')).toBeUndefined();
  });
});
