// The GPU backend: the sample-set schedule of DESIGN.md ("The score pass"), as named steps over
// the GPU model of src/gpu/llama.ts:
//   plan (checks, memory) → allocate → forward every sample → for each layer from the last:
//   walk it (backward + score per sample and pair, then each set's density) → assemble.
// 1. The forward keeps each layer's input x_l (T, C) per sample and, at the end, the max logit,
//    its token and the gradient at the last residual (only the last row is non-zero).
// 2. At layer l, for each sample: recompute the layer's forward from x_l, back-propagate the
//    sample's incoming gradient, and feed the fused score kernels (Σ A, Σ A², max A per matrix, A
//    added into the set's accumulator of this layer only); pairs (sample i of set a, sample j of
//    set b) are recomputed side by side in two scratch sets and meet in the pair kernel. Each
//    set's accumulator then holds Σ over its samples of A for every parameter of the layer: the
//    mean-first density and histogram are taken, and the accumulator is overwritten by the next
//    layer. Memory: src/engine/memory.ts. With saved inputs on the CPU, the layer inputs are
//    read back after each sample's (or batch's) forward and each layer's slice written back when
//    the walk reaches it (GPU memory no longer grows with samples × L; batches still walk as one).
import { MATRICES, matrixShape, ropeFreqs, type MatrixName } from '../model/config';
import { metricKind } from '../analysis/metrics';
import { cosFromParts } from '../analysis/llmdcos';
import { setDensity } from '../analysis/density';
import type { SampleResult, SetResult } from '../analysis/results';
import { GpuRunError, withGpuErrors } from '../gpu/runtime/errors';
import type { GpuContext } from '../gpu/runtime/context';
import type { GpuLlama } from '../gpu/model';
import {
  forwardLayers,
  headBackward,
  headScratchFloats,
  headForward,
  KEPT_ACTIVATIONS,
  layerBackward,
  layerColnorms,
  layerForward,
  layerOperands,
  layerScratchFloats,
  linearDims,
} from '../gpu/llama';
import { ropeTableBuffer } from '../gpu/ops/rope';
import { rmsnormForward } from '../gpu/ops/rmsnorm';
import { meanRows } from '../analysis/sts';
import { scorePair, scoreSlots, sumPartials } from '../gpu/ops/score';
import {
  densityCounters,
  densityFinish,
  densitySlots,
  MAX_THRESHOLDS,
  unpackDensity,
} from '../gpu/ops/density';
import { checkRunOutput } from './check';
import { Readbacks } from './readbacks';
import {
  checkBudget,
  checkFits,
  estimateGpuMemory,
  planMemory,
  RunRefusedError,
  runScratchFloats,
  type MemoryEstimate,
} from './memory';
import { checkPairs, pairMembers, type PartialRun, type RunOutput, type RunRequest } from './types';
import {
  checkAlive,
  encodeForward,
  partOf,
  scoreSample,
  singles,
  takeBest,
  takeSingles,
  WalkProgress,
  type GpuRun,
  type GpuRunOptions,
  type LayerWalk,
  type SampleState,
  type Scratch,
} from './run-state';
import { allocateBatches, forwardBatches, scoreBatchStep } from './batch-walk';
import { batchGroups, defaultBatch, groupRows, ropeRowsMax } from './batch-plan';

export type { GpuRunOptions } from './run-state';

const F32 = 4;

/**
 * Runs `req` on the GPU. Fails closed: any WebGPU error the run causes (validation,
 * out-of-memory, internal, a lost device) throws GpuRunError, and results that cannot be right
 * (non-finite, counts beyond the parameters, a layer with no score) throw RunCheckError — a run
 * returns correct-looking numbers or nothing. A cancelled run throws AbortError with what it had
 * finished on `error.partial` (PartialRun).
 */
export async function runGpu(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  opts: GpuRunOptions = {},
): Promise<RunOutput> {
  const est = planRun(ctx, model, req, opts);
  const out = await withGpuErrors(ctx.device, 'the GPU run', async () => {
    const run = allocateRun(ctx, model, req, opts, est);
    try {
      await (run.batches.length ? forwardBatches(run, run.batches) : forwardSamples(run));
      for (let l = model.config.blockCount - 1; l >= 0; l--) await walkLayer(run, l);
      await run.reads.drain();
      return assemble(run);
    } catch (e) {
      if ((e as Error).name === 'AbortError' && opts.signal?.aborted) {
        await run.reads.settle();
        (e as Error & { partial?: PartialRun }).partial = partialOf(run);
      } else if ((e as Error).name === 'AbortError') throw await abortedReadback(ctx.device);
      throw e;
    } finally {
      await freeRun(run);
    }
  });
  checkRunOutput(out, model.config, req.metric);
  return out;
}

/** The GPU model's forward alone: the last-position logits (V) of one token sequence. */
export async function gpuForwardLogits(
  ctx: GpuContext,
  model: GpuLlama,
  tokens: number[],
): Promise<Float32Array> {
  const c = model.config;
  const T = tokens.length;
  if (T < 1 || T > c.contextLength)
    throw new RunRefusedError(`${T} tokens: the model takes 1 to ${c.contextLength}`);
  return withGpuErrors(ctx.device, 'the GPU forward', async () => {
    const sizes = { ...layerScratchFloats(c, T), ...headScratchFloats(c) };
    const owned = Object.entries(sizes).map(([k, n]) => [k, ctx.storage(n * F32, k)] as const);
    const S = Object.fromEntries(owned) as Scratch;
    const x = [0, 1].map(() => ctx.storage(T * c.embeddingLength * F32, 'x')) as [
      GPUBuffer,
      GPUBuffer,
    ];
    const ids = ctx.upload(Uint32Array.from(tokens), 'tokens');
    const rope = ropeTableBuffer(ctx, T, ropeFreqs(c, model.ropeFactors));
    const best = ctx.storage(2 * F32, 'best');
    try {
      const enc = ctx.device.createCommandEncoder({ label: 'forward' });
      headForward(ctx, enc, model, S, forwardLayers(ctx, enc, model, S, x, ids, T, rope), T, best);
      const [logits] = await ctx.submitAndRead(enc, [{ buffer: S.logits, count: c.vocabSize }]);
      return logits.slice();
    } finally {
      for (const b of [...owned.map(([, b]) => b), ...x, ids, rope, best]) b.destroy();
      ctx.forgetBindGroups();
      ctx.releaseStaging();
    }
  });
}

/**
 * An AbortError nobody asked for is a readback the device's loss aborted; the loss itself may be
 * reported later (seen: seconds, while the GPU process compiled other pipelines).
 */
async function abortedReadback(device: GPUDevice): Promise<GpuRunError> {
  const sleep = new Promise<null>((r) => setTimeout(() => r(null), 5000));
  const info = await Promise.race([device.lost, sleep]);
  return new GpuRunError(
    info
      ? `the GPU run failed: the GPU device was lost (${info.reason}): ${info.message}`
      : 'the GPU run failed: a readback was aborted by the GPU',
  );
}

/** Refuses what the GPU backend cannot run; returns the memory plan it runs under. */
export function planRun(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  opts: GpuRunOptions = {},
): MemoryEstimate {
  const c = model.config;
  const K = req.thresholds.length;
  if (K < 1 || K > MAX_THRESHOLDS)
    throw new RunRefusedError(`${K} thresholds: the GPU backend takes 1 to ${MAX_THRESHOLDS}`);
  checkPairs(req);
  const all = req.sets.flatMap((s) => s.samples);
  if (all.length === 0) throw new RunRefusedError('no samples');
  const Tmax = Math.max(...all.map((s) => s.tokens.length));
  if (Tmax > c.contextLength)
    throw new RunRefusedError(
      `a sample has ${Tmax} tokens, above the model's context length ${c.contextLength}`,
    );
  const lengths = all.map((s) => s.tokens.length);
  const planned = opts.savedInputs
    ? estimateGpuMemory(
        c,
        model.bytes,
        req,
        opts.savedInputs,
        false,
        opts.batch ?? defaultBatch(c, lengths),
      )
    : planMemory(c, model.bytes, req, opts.gpuMemoryBudget, opts.batch);
  const est = opts.keepActivations
    ? estimateGpuMemory(c, model.bytes, req, planned.savedOn, true)
    : planned;
  checkFits(est, ctx.device.limits);
  checkBudget(est, opts.gpuMemoryBudget);
  return est;
}

function allocateRun(
  ctx: GpuContext,
  model: GpuLlama,
  req: RunRequest,
  opts: GpuRunOptions,
  est: MemoryEstimate,
): GpuRun {
  const c = model.config;
  const [L, C] = [c.blockCount, c.embeddingLength];
  const owned: GPUBuffer[] = [];
  const buf = (floats: number, label: string) => {
    const b = ctx.pool.take(Math.max(1, floats) * F32, label);
    owned.push(b);
    return b;
  };
  const lengths = req.sets.flatMap((s) => s.samples.map((x) => x.tokens.length));
  const Tmax = Math.max(...lengths);
  // a batched walk's scratch (and forward buffers) holds its largest batch's rows
  const groups = est.batch > 1 ? batchGroups(c, lengths, est.batch) : [];
  const rowsMax = Math.max(Tmax, ...groups.map(groupRows));
  const sizes = runScratchFloats(c, rowsMax);
  const scratch = (tag: string) =>
    Object.fromEntries(
      Object.entries(sizes).map(([k, n]) => [k, buf(n, `${tag}.${k}`)]),
    ) as Scratch;
  const perMatrix = (floats: (n: number) => number, label: string) =>
    Object.fromEntries(
      MATRICES.map((m) => [
        m,
        buf(floats(matrixShape(c, m).O * matrixShape(c, m).I), `${label}.${m}`),
      ]),
    ) as Record<MatrixName, GPUBuffer>;
  // first what does not depend on the samples' lengths (the set sums: the largest), so that a run
  // of other lengths takes them from the pool before its first miss frees the rest
  const setAcc = req.sets.map((_, si) => perMatrix((n) => n, `acc.${si}`));
  const counts = perMatrix(() => densityCounters(req.thresholds.length), 'counts');
  const dparts = perMatrix(densitySlots, 'dpart');
  const SA = scratch('A');
  const onCpu = est.savedOn === 'cpu';
  const pairLengths = checkPairs(req);
  const run: GpuRun = {
    ctx,
    model,
    c,
    req,
    opts,
    est,
    pairOrder: pairLengths.map((n, k) => pairOrder(req, k, n)),
    owned,
    SA,
    SB: req.pairs.length > 0 ? scratch('B') : SA,
    perLayer: est.keepActivations
      ? Array.from({ length: L }, (_, l) => ({
          ...SA,
          ...Object.fromEntries(KEPT_ACTIVATIONS.map((k) => [k, buf(sizes[k], `L${l}.${k}`)])),
        }))
      : [],
    // (a batch's RoPE runs over its padding rows too: positions up to its stride)
    rope: ropeTableBuffer(ctx, ropeRowsMax(Tmax, groups), ropeFreqs(c, model.ropeFactors)),
    thresholds: ctx.upload(Float32Array.from(req.thresholds), 'thresholds'),
    setAcc,
    counts,
    dparts,
    fwdSaved: onCpu ? Array.from({ length: L }, (_, l) => buf(rowsMax * C, `fwd.x${l}`)) : [],
    states: [],
    density: req.sets.map(() => []),
    pairs: req.pairs.map((p) => ({
      a: p.a,
      b: p.b,
      ...(p.shift ? { shift: p.shift } : {}),
      ...(p.index ? { index: p.index } : {}),
      llmdcos: [],
    })),
    reads: new Readbacks(),
    progress: null as unknown as WalkProgress,
    forwardDone: false,
    lost: null,
    batches: [],
    batchParts: [],
  };
  owned.push(run.rope, run.thresholds);
  void ctx.device.lost.then(
    (info) => (run.lost = `the GPU device was lost (${info.reason}): ${info.message}`),
  );
  const batched = est.batch > 1;
  // a batched run's samples keep only their results and max logit: their batch holds the rest
  const none = batched ? buf(1, 'none') : null;
  req.sets.forEach((set, si) =>
    set.samples.forEach((s, index) => {
      const T = s.tokens.length;
      const tokens = none ?? ctx.upload(Uint32Array.from(s.tokens), 'tokens');
      if (!none) owned.push(tokens);
      run.states.push({
        set: si,
        index,
        source: s.source,
        T,
        tokens,
        saved: none
          ? []
          : onCpu
            ? [buf(T * C, 'x')]
            : Array.from({ length: L }, (_, l) => buf(T * C, `x${l}`)),
        cpu: [],
        dxIn: none ?? buf(T * C, 'dxIn'),
        dxOut: none ?? buf(T * C, 'dxOut'),
        best: buf(2, 'best'),
        result: emptyResult(s.source, s.tokens, L),
      });
    }),
  );
  if (batched)
    ({ batches: run.batches, parts: run.batchParts } = allocateBatches(run, groups, buf));
  run.progress = new WalkProgress(run);
  ctx.pool.flush(); // the reused buffers zeroed before anything writes them
  return run;
}

function emptyResult(source: string, tokenIds: number[], L: number): SampleResult {
  const zeros = () => Array.from({ length: L }, () => new Array<number>(7).fill(0));
  return {
    source,
    tokens: tokenIds.length,
    tokenIds,
    maxLogit: 0,
    argmax: 0,
    sumA: zeros(),
    sumA2: zeros(),
    maxA: zeros(),
  };
}

const savedOf = (run: GpuRun, st: SampleState, l: number) =>
  run.est.savedOn === 'cpu' ? st.saved[0] : st.saved[l];

/** Every sample's forward, its max logit and token, and the gradient D sends into the last layer. */
async function forwardSamples(run: GpuRun): Promise<void> {
  const { ctx, model, SA: S } = run;
  const onCpu = run.est.savedOn === 'cpu';
  for (const st of run.states) {
    checkAlive(run);
    const xs = onCpu ? run.fwdSaved : st.saved;
    const enc = encodeForward(run, st.source, xs, st.tokens, st.T);
    headForward(ctx, enc, model, S, S.xL, st.T, st.best);
    headBackward(ctx, enc, model, S, st.best, st.T, st.dxIn);
    const pooled = run.req.pooledHidden ? finalNormed(run, enc, st) : [];
    // one submit and readback per sample, not awaited here: the queue keeps the order, so the
    // copies of S.logits and fwdSaved are taken before the next sample overwrites them
    const read = ctx.submitAndRead(enc, [
      { buffer: st.best, count: 2 },
      ...pooled,
      ...run.fwdSaved.map((b) => ({ buffer: b, count: st.T * run.c.embeddingLength })),
    ]);
    run.reads.add(
      read.then(([best, ...xs]) => {
        if (pooled.length) st.pooled = meanRows(xs.shift()!, st.T, run.c.embeddingLength);
        if (onCpu) st.cpu = xs.map((x) => x.slice());
        takeBest(st, best);
        run.progress.forward(st);
      }),
    );
  }
  await run.reads.all();
  run.forwardDone = true;
  run.progress.forwardFinished();
}

/**
 * The final norm over all of st's positions (T, C), into SA's xn1 (free once the forward is done;
 * kept activations have their own): the readback that the STS baseline mean-pools.
 */
function finalNormed(run: GpuRun, enc: GPUCommandEncoder, st: SampleState) {
  const { ctx, model, SA: S, c } = run;
  rmsnormForward(
    ctx,
    enc,
    S.xn1,
    S.rstd1,
    S.xL,
    model.outputNorm,
    st.T,
    c.embeddingLength,
    c.rmsEps,
  );
  return [{ buffer: S.xn1, count: st.T * c.embeddingLength }];
}

/** Layer l of the walk: every pair and sample scored, each set's density taken. */
async function walkLayer(run: GpuRun, l: number): Promise<void> {
  if (run.est.savedOn === 'cpu') {
    // this layer's inputs back onto the GPU (a batch's, or each sample's); the CPU copies are not
    // needed again
    const holders = run.batches.length > 0 ? run.batches : run.states;
    for (const h of holders) {
      run.ctx.device.queue.writeBuffer(h.saved[0], 0, h.cpu[l]);
      h.cpu[l] = new Float32Array(0);
    }
  }
  const walk: LayerWalk = {
    run,
    l,
    setStarted: new Set(),
    scored: new Set(),
    inA: null,
    inB: null,
  };
  for (let k = 0; k < run.req.pairs.length; k++)
    for (const i of run.pairOrder[k]) scorePairStep(walk, k, i);
  for (const batch of run.batches) scoreBatchStep(walk, batch, run.batchParts);
  for (const st of run.states) if (!walk.scored.has(st)) scoreSampleStep(walk, st);
  for (let si = 0; si < run.req.sets.length; si++) finishDensity(run, l, si);
  const onSums = run.opts.onSetSums;
  if (onSums) for (let si = 0; si < run.req.sets.length; si++) await onSums(l, si, run.setAcc[si]);
  if (run.opts.onScores) await scoresOut(run, l);
  await run.reads.endLayer(l);
  for (const st of run.states) [st.dxIn, st.dxOut] = [st.dxOut, st.dxIn];
  for (const b of run.batches) [b.dxIn, b.dxOut] = [b.dxOut, b.dxIn];
}

/**
 * Recomputes st's layer in S (unless kept) and back-propagates it; unless already scored, scores
 * it alone into its set's accumulator and its partials. Returns whether it scored.
 */
function backwardAndScore(
  w: LayerWalk,
  enc: GPUCommandEncoder,
  S0: Scratch,
  st: SampleState,
): boolean {
  const { run, l } = w;
  const { ctx, model } = run;
  const S = run.est.keepActivations ? run.perLayer[l] : S0;
  const x = savedOf(run, st, l);
  // |W| reads neither the layer's inputs nor its gradients, Wanda only the inputs' norms: the
  // backward (and for |W| the recompute) is work no score uses
  const kind = metricKind(run.req.metric);
  if (kind.inputs && !run.est.keepActivations)
    layerForward(ctx, enc, model, l, S, x, st.T, run.rope);
  if (kind.inputNorms) layerColnorms(ctx, enc, run.c, S, st.T);
  if (kind.gradient) layerBackward(ctx, enc, model, l, S, x, st.T, run.rope, st.dxIn, st.dxOut);
  if (w.scored.has(st)) return false;
  const ops = layerOperands(S, st.dxIn);
  scoreSample(w, enc, st, (m) => ops[m], partOf(S));
  return true;
}

function scoreSampleStep(w: LayerWalk, st: SampleState): void {
  const { run, l } = w;
  checkAlive(run);
  const enc = run.ctx.device.createCommandEncoder({ label: `layer ${l} ${st.source}` });
  backwardAndScore(w, enc, run.SA, st);
  const read = run.ctx.submitAndRead(enc, singles(run, st, partOf(run.SA)));
  run.reads.add(
    read.then((parts) => {
      takeSingles(run, l, st, parts);
      run.progress.step(l, st.set, st.index);
    }),
  );
}

const stateOf = (run: GpuRun, set: number, index: number) =>
  run.states.find((s) => s.set === set && s.index === index)!;

/**
 * Pair k's i-th sample pair at this layer: both members' layer in SA and SB (recomputed unless
 * the previous pair left it there), the pair kernel's LLMDcos parts.
 */
function scorePairStep(w: LayerWalk, k: number, i: number): void {
  const { run, l } = w;
  const { ctx, model, req, SA } = run;
  checkAlive(run);
  const setIndex = (name: string) => req.sets.findIndex((s) => s.name === name);
  const p = req.pairs[k];
  const [sa, sb] = [setIndex(p.a), setIndex(p.b)];
  const [ia, ib] = pairMembers(p, i, req.sets[sb].samples.length);
  const a = stateOf(run, sa, ia);
  const b = stateOf(run, sb, ib);
  const enc = ctx.device.createCommandEncoder({ label: `layer ${l} pair ${k}:${i}` });
  const newA = w.inA !== a && backwardAndScore(w, enc, SA, a);
  w.inA = a;
  const Sb = a === b ? SA : run.SB;
  const newB = a !== b && w.inB !== b && backwardAndScore(w, enc, run.SB, b);
  if (a !== b) w.inB = b;
  const oa = layerOperands(SA, a.dxIn);
  const ob = layerOperands(Sb, b.dxIn);
  for (const m of MATRICES) {
    const d = linearDims(run.c, m, a.T);
    scorePair(ctx, enc, SA[`pair_${m}`], oa[m], ob[m], model.layers[l].m[m], d, b.T, req.metric);
  }
  const pairParts = MATRICES.map((m) => ({
    buffer: SA[`pair_${m}`],
    count: scoreSlots(linearDims(run.c, m, a.T), ctx) * 3,
  }));
  const reads = [
    ...pairParts,
    ...(newA ? singles(run, a, partOf(SA)) : []),
    ...(newB ? singles(run, b, partOf(run.SB)) : []),
  ];
  run.reads.add(
    ctx.submitAndRead(enc, reads).then((parts) => {
      const sums = { dot: 0, aa: 0, bb: 0 };
      MATRICES.forEach((m, mi) => {
        const slots = scoreSlots(linearDims(run.c, m, a.T), ctx);
        const [x, y, z] = sumPartials(parts[mi], slots, false);
        sums.dot += x;
        sums.aa += y;
        sums.bb += z;
      });
      (run.pairs[k].llmdcos[i] ??= new Array(run.c.blockCount).fill(0))[l] = cosFromParts(sums);
      let o = MATRICES.length;
      if (newA) takeSingles(run, l, a, parts.slice(o, (o += MATRICES.length)));
      if (newB) takeSingles(run, l, b, parts.slice(o, o + MATRICES.length));
      run.progress.step(l, a.set, i);
    }),
  );
}

/**
 * The order pair k's sample pairs are walked in: by first member, then second, so that pairs
 * sharing a sentence follow one another and its layer is computed once for them (results stay
 * in input order).
 */
function pairOrder(req: RunRequest, k: number, n: number): number[] {
  const p = req.pairs[k];
  const nb = req.sets.find((s) => s.name === p.b)!.samples.length;
  const m = Array.from({ length: n }, (_, i) => pairMembers(p, i, nb));
  return Array.from({ length: n }, (_, i) => i).sort(
    (x, y) => m[x][0] - m[y][0] || m[x][1] - m[y][1] || x - y,
  );
}

/** Each set's Σ A at layer l to onScores, one matrix read back at a time. */
async function scoresOut(run: GpuRun, l: number): Promise<void> {
  for (let si = 0; si < run.req.sets.length; si++) {
    for (const m of MATRICES) {
      const { O, I } = matrixShape(run.c, m);
      const [sums] = await run.ctx.readMany([{ buffer: run.setAcc[si][m], count: O * I }]);
      await run.opts.onScores!(si, l, m, sums);
    }
  }
}

/** Set si's mean-first density counts, Σ mean A and histogram at layer l. */
function finishDensity(run: GpuRun, l: number, si: number): void {
  const { ctx, c, req } = run;
  const K = req.thresholds.length;
  const N = req.sets[si].samples.length;
  const enc = ctx.device.createCommandEncoder({ label: `density layer ${l}` });
  const params = (m: MatrixName) => matrixShape(c, m).O * matrixShape(c, m).I;
  for (const m of MATRICES) {
    ctx.clearBuffer(enc, run.counts[m]);
    densityFinish(
      ctx,
      enc,
      run.counts[m],
      run.dparts[m],
      run.setAcc[si][m],
      run.thresholds,
      params(m),
      N,
      K,
    );
  }
  const list = MATRICES.flatMap((m) => [
    { buffer: run.counts[m], count: densityCounters(K) },
    { buffer: run.dparts[m], count: densitySlots(params(m)) },
  ]);
  run.reads.add(
    ctx.submitAndRead(enc, list).then((read) => {
      run.density[si][l] = MATRICES.map((_, mi) => {
        const cnt = read[2 * mi];
        const d = unpackDensity(new Uint32Array(cnt.buffer, cnt.byteOffset, cnt.length), K);
        const sumMeanA = read[2 * mi + 1].reduce((s, x) => s + x, 0);
        return { counts: d.counts, sumMeanA, hist: d.hist };
      });
      run.progress.density(l, si);
    }),
  );
}

function assemble(run: GpuRun): RunOutput {
  const { req } = run;
  const sets: SetResult[] = req.sets.map((set, si) => {
    const fin = run.density[si];
    return {
      name: set.name,
      samples: run.states.filter((s) => s.set === si).map((s) => s.result),
      density: setDensity(set.samples.length, req.thresholds, fin),
    };
  });
  run.opts.onProgress?.({ stage: 'done', fraction: 1 });
  if (!req.pooledHidden) return { sets, pairs: run.pairs };
  const pooled = req.sets.map((_, si) =>
    run.states.filter((s) => s.set === si).map((s) => s.pooled!),
  );
  return { sets, pairs: run.pairs, pooled };
}

function partialOf(run: GpuRun): PartialRun {
  return {
    forwardDone: run.forwardDone,
    layersDone: [...run.reads.layersDone].sort((a, b) => a - b),
    samples: run.states.map((st) => ({
      set: run.req.sets[st.set].name,
      ...structuredClone(st.result),
    })),
  };
}

/**
 * Frees a run's buffers once its readbacks have ended (a failed run may leave some in flight):
 * into the device's pool for the next run (src/gpu/runtime/pool.ts), destroyed after a device loss.
 */
async function freeRun(run: GpuRun): Promise<void> {
  await run.reads.settle();
  run.ctx.forgetBindGroups();
  if (run.lost) for (const b of run.owned) b.destroy();
  else run.ctx.pool.giveBack(run.owned); // the next run of this shape reuses them
  run.ctx.releaseStaging();
}
