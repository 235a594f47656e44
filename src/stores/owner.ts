// One tab owns the saved session (Web Locks): it restores and saves it. A second tab of the app
// says so and never saves — two tabs each writing the last session meant the last writer won and
// the other tab's sets were lost. The lock is held while the owning tab lives and freed when it
// closes (a reload of the second tab then owns the session).
const LOCK = 'paramscope:session';

/**
 * Whether this tab owns the session (true where the browser has no Web Locks, as before). A held
 * lock is waited for `waitMs`: a reloading tab's old document may still hold it for a moment.
 */
export function claimSession(
  locks: LockManager | undefined = globalThis.navigator?.locks,
  waitMs = 2000,
): Promise<boolean> {
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    locks
      .request(LOCK, { signal: AbortSignal.timeout(waitMs) }, () => {
        resolve(true);
        // held while this tab lives
        return new Promise<void>(() => {});
      })
      .catch(() => resolve(false));
  });
}
