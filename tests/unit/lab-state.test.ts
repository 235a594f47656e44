// Research state that must survive a reload: the views' γ when the researcher chose it, the
// pruning lab's choices (saved before any point is measured), and what its points were measured
// on (captions read that, not the menus, which may have moved since).
import { describe, expect, it } from 'vitest';
import { applySession, sessionFile } from '../../src/stores/persist';
import { viewState } from '../../src/stores/views.svelte';
import { lab, restoreLab, saveLab } from '../../src/stores/prune.svelte';
import { cache } from '../../src/stores/cache.svelte';

/** A measured point of the pruning lab (Wanda, uniform 50 %). */
const POINT = {
  method: 'wanda',
  allocation: 'uniform',
  S: 0.5,
  ppl: 12,
  tokens: 9,
  seconds: 1,
  layerSparsity: [0.5],
};

describe('state across a reload', () => {
  it("the views' γ comes back when the researcher chose it", () => {
    [viewState.log10Gamma, viewState.chosen] = [-5.3, true];
    const f = JSON.parse(JSON.stringify(sessionFile()));
    [viewState.log10Gamma, viewState.chosen] = [-6, false];
    applySession(f);
    expect([viewState.log10Gamma, viewState.chosen]).toEqual([-5.3, true]);
    // not chosen: left to the data; out of range: ignored
    applySession({ ...f, settings: { ...f.settings, gamma: { log10: -4, chosen: false } } });
    expect(viewState.log10Gamma).toBe(-5.3);
    applySession({ ...f, settings: { ...f.settings, gamma: { log10: 1e9, chosen: true } } });
    expect(viewState.log10Gamma).toBe(-5.3);
  });

  it("the pruning lab's choices are saved before any point, and come back", async () => {
    await cache.clear();
    Object.assign(lab, {
      calibration: 'code',
      evalSet: 'news',
      sparsity: 0.6,
      points: [],
      dense: null,
    });
    await saveLab();
    Object.assign(lab, { calibration: '', evalSet: '', sparsity: 0.5 });
    await restoreLab();
    expect([lab.calibration, lab.evalSet, lab.sparsity]).toEqual(['code', 'news', 0.6]);
  });

  it('what the points were measured on comes back, from the basis of older saves too', async () => {
    await cache.clear();
    Object.assign(lab, {
      evalSet: 'news',
      basis: 'abc · eval wiki text · calibration code · 128 tokens · f32',
      measuredEval: '',
      measuredCalibration: '',
      points: [POINT],
    });
    await saveLab();
    const saved = await cache.get<Record<string, unknown>>('prune:last');
    const { measuredEval: _e, measuredCalibration: _c, ...older } = saved!.data;
    await cache.putMany([['prune:last', { ...saved!, data: older }]]);
    await restoreLab();
    expect([lab.measuredEval, lab.measuredCalibration]).toEqual(['wiki text', 'code']);
    // the menu is free to move: the caption's name stays
    lab.evalSet = 'other';
    expect(lab.measuredEval).toBe('wiki text');
  });

  it('a saved lab naming an allocation or method the table lacks restores without them', async () => {
    await cache.clear();
    const good = POINT;
    Object.assign(lab, { points: [good], allocations: ['uniform', '2:4'], methods: ['wanda'] });
    await saveLab();
    const saved = await cache.get<Record<string, unknown>>('prune:last');
    const data = {
      ...saved!.data,
      allocations: ['uniform', 'lamp'],
      methods: ['wanda', 'sparsegpt'],
      points: [good, { ...good, allocation: 'lamp' }, { ...good, method: 'sparsegpt' }],
    };
    await cache.putMany([['prune:last', { ...saved!, data }]]);
    await restoreLab();
    // (the chart and the table ask the tables for each entry: an unknown one would throw there)
    expect(lab.allocations).toEqual(['uniform']);
    expect(lab.methods).toEqual(['wanda']);
    expect(lab.points).toEqual([good]);
  });
});
