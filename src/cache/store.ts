// The result cache: one entry per finished set (its samples and density) or pair of sets, plus
// the last session. IndexedDB through idb-keyval in the browser; a Map in tests. A unit's entries
// are written in one transaction (setMany), so a failed write leaves nothing half-written.
import { createStore, clear, del, entries, get, setMany, type UseStore } from 'idb-keyval';

export type EntryKind = 'set' | 'pair' | 'session' | 'prune';

export interface CacheEntry<T = unknown> {
  kind: EntryKind;
  /** what a person reads in the cache panel */
  label: string;
  createdAt: string;
  /** size of the JSON of `data` */
  bytes: number;
  data: T;
}

export interface CacheStore {
  get<T>(key: string): Promise<CacheEntry<T> | undefined>;
  putMany(items: [string, CacheEntry][]): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  list(): Promise<
    { key: string; kind: EntryKind; label: string; bytes: number; createdAt: string }[]
  >;
}

export function entry<T>(kind: EntryKind, label: string, data: T): CacheEntry<T> {
  return {
    kind,
    label,
    createdAt: new Date().toISOString(),
    bytes: JSON.stringify(data).length,
    data,
  };
}

/** Quota and other storage failures, with what was being written. */
export class CacheWriteError extends Error {
  constructor(what: string, cause: unknown) {
    const c = cause as Error;
    const quota = c?.name === 'QuotaExceededError';
    super(
      `${quota ? 'The browser storage quota is full' : 'Saving to the cache failed'} while writing ${what} (${c?.name ?? 'Error'}: ${c?.message ?? String(cause)}). Nothing of it was kept; delete cache entries to make room.`,
    );
    this.name = 'CacheWriteError';
  }
}

const summary = (key: string, e: CacheEntry) => ({
  key,
  kind: e.kind,
  label: e.label,
  bytes: e.bytes,
  createdAt: e.createdAt,
});

export function idbStore(db = 'paramscope', store = 'results'): CacheStore {
  let s: UseStore | null = null;
  const st = () => (s ??= createStore(db, store));
  return {
    get: (k) => get(k, st()),
    putMany: async (items) => {
      try {
        await setMany(items, st());
      } catch (e) {
        throw new CacheWriteError(items.map(([, v]) => v.label).join(', '), e);
      }
    },
    delete: (k) => del(k, st()),
    clear: () => clear(st()),
    list: async () => (await entries<string, CacheEntry>(st())).map(([k, e]) => summary(k, e)),
  };
}

/** In memory (tests, and browsers where IndexedDB is unavailable). */
export function memoryStore(): CacheStore {
  const m = new Map<string, CacheEntry>();
  return {
    get: async <T>(k: string) => m.get(k) as CacheEntry<T> | undefined,
    putMany: async (items) => {
      for (const [k, v] of items) m.set(k, structuredClone(v));
    },
    delete: async (k) => void m.delete(k),
    clear: async () => m.clear(),
    list: async () => [...m].map(([k, e]) => summary(k, e)),
  };
}
