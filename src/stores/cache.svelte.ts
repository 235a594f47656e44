// The result cache the app uses (IndexedDB; in memory where IndexedDB is unavailable), and the
// cache panel's state: the entries with their sizes, and the last storage error.
import { entry, idbStore, memoryStore, type CacheStore, type EntryKind } from '../cache/store';

export const cache: CacheStore = typeof indexedDB !== 'undefined' ? idbStore() : memoryStore();

export const cacheState = $state({
  entries: [] as {
    key: string;
    kind: EntryKind;
    label: string;
    bytes: number;
    createdAt: string;
  }[],
  error: '',
  persistent: typeof indexedDB !== 'undefined',
});

export async function refreshCache(): Promise<void> {
  try {
    cacheState.entries = (await cache.list()).sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt),
    );
  } catch (e) {
    cacheState.error = `Reading the cache failed: ${(e as Error).message}`;
  }
}

export async function deleteEntry(key: string): Promise<void> {
  await cache.delete(key);
  await refreshCache();
}

export async function clearCache(): Promise<void> {
  await cache.clear();
  cacheState.error = '';
  await refreshCache();
}

/** Saves one session-kind entry (the last session, the STS lab); a failure shows in the panel. */
export async function saveSessionEntry(key: string, label: string, data: unknown): Promise<void> {
  try {
    await cache.putMany([[key, entry('session', label, data)]]);
  } catch (e) {
    cacheState.error = (e as Error).message;
  }
}
