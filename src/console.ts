// `paramscope` in the browser console: read-only views of what the app holds, for researchers who
// script their analysis in DevTools (and for the end-to-end tests, which read the same). The one
// place the app touches globalThis.
import { session } from './stores/session.svelte';
import { documentOf, sts } from './stores/sts.svelte';
import { lab } from './stores/prune.svelte';

export function exposeConsole(): void {
  Object.defineProperty(globalThis, 'paramscope', {
    configurable: true,
    value: Object.freeze({
      /** the results document on screen (schema paramscope.results/1), or null */
      get results() {
        return session.results;
      },
      /** the last run: GPU runs made, sets and pairs computed and taken from the cache */
      get lastRun() {
        return session.lastRun;
      },
      /** the engine self-check's rows (op, max relative difference, pass) */
      get selfCheck() {
        return session.selfCheck;
      },
      /** the last "Verify engine" comparison with onnxruntime-web */
      get verification() {
        return session.verification;
      },
      /** the STS lab: one paramscope.sts/1 document per metric run, at the window in force */
      get sts() {
        return sts.runs.map(documentOf);
      },
      /** the pruning lab: the dense perplexity and every pruned model measured, with S_i */
      get prune() {
        return { dense: lab.dense, points: lab.points, basis: lab.basis };
      },
    }),
  });
}
