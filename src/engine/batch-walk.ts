// The batched layer walk: a batch's samples stacked `stride` rows apart (batch-plan.ts), so that
// the forward, the walk's recompute and its backward-input run as one GEMM over all their rows;
// RoPE once over all rows (each sample's from position 0), attention stacked or per sample on its
// slice, the head on each sample's last row, the score on each sample's rows into its set's
// accumulator. Every stacked op is row-wise, so a sample's rows get what its own walk would give
// them: bit for bit with the simple linears; the tiled ones may split K differently for more rows
// (the same sums in another order). The padding rows between samples are computed and never read
// by a cross-row op.
import { MATRICES, matrixShape, type MatrixName } from '../model/config';
import {
  headBackward,
  headForward,
  layerBackward,
  layerForward,
  layerOperands,
  linearDims,
  rowCount,
  rowSlice,
  type Rows,
} from '../gpu/llama';
import { foldsScore, partStride, scoreFold, scoreSlots } from '../gpu/ops/score';
import type { BufferSlice } from '../gpu/runtime/context';
import { groupRows, setRuns, stackedIds, stackedRows, type BatchGroup } from './batch-plan';
import {
  checkAlive,
  encodeForward,
  scoreSample,
  singles,
  takeBest,
  takeSingles,
  type GpuRun,
  type Batch,
  type LayerWalk,
  type SampleState,
} from './run-state';

/** A batch position's score partials, by matrix: slices of one buffer per matrix. */
export type Parts = Record<MatrixName, BufferSlice>;

/**
 * Allocates the batches `groups` (batchGroups of the run's samples); `buf` allocates a run-owned
 * buffer. Returns them, and per position in a batch the score partials (shared across batches: each
 * batch's readback is copied in its own submit before the next batch writes them).
 */
export function allocateBatches(
  run: GpuRun,
  groups: BatchGroup[],
  buf: (floats: number, label: string) => GPUBuffer,
): { batches: Batch[]; parts: Parts[] } {
  const { c, ctx } = run;
  const [L, C] = [c.blockCount, c.embeddingLength];
  const onCpu = run.est.savedOn === 'cpu';
  const lengths = run.states.map((st) => st.T);
  const tokensOf = (i: number) => {
    const st = run.states[i];
    return run.req.sets[st.set].samples[st.index].tokens;
  };
  const batches = groups.map((g, k) => {
    const members = g.members.map((i) => run.states[i]);
    const n = groupRows(g);
    const tokens = ctx.upload(stackedIds(g, tokensOf), `batch ${k} tokens`);
    run.owned.push(tokens);
    return {
      members,
      stride: g.stride,
      rows: stackedRows(g, lengths),
      tokens,
      saved: onCpu
        ? [buf(n * C, `batch ${k} x`)]
        : Array.from({ length: L }, (_, l) => buf(n * C, `batch ${k} x${l}`)),
      cpu: [],
      dxIn: buf(n * C, `batch ${k} dxIn`),
      dxOut: buf(n * C, `batch ${k} dxOut`),
    };
  });
  const B = Math.max(...groups.map((g) => g.members.length));
  // one buffer per matrix, position b's partials pstride floats in (a slice each; scoreFold
  // writes a run of positions at once)
  const whole = MATRICES.map((m) => {
    const pstride = partStride(scoreSlots(linearDims(c, m, 1)));
    return { m, pstride, buffer: buf(B * pstride, `part ${m}`) };
  });
  const parts = Array.from(
    { length: B },
    (_, b) =>
      Object.fromEntries(
        whole.map(({ m, pstride, buffer }) => [
          m,
          { buffer, offset: b * pstride * 4, size: pstride * 4 },
        ]),
      ) as Parts,
  );
  return { batches, parts };
}

/**
 * Every batch's forward, each sample's max logit and token, and the gradient D sends back; with
 * saved inputs in CPU memory the layer inputs go through run.fwdSaved and are read back per batch.
 */
export async function forwardBatches(run: GpuRun, batches: Batch[]): Promise<void> {
  const { ctx, model, SA: S } = run;
  const onCpu = run.est.savedOn === 'cpu';
  // with the inputs in CPU memory, at most two batches' readbacks (L × rows × C floats each) wait
  // in staging buffers at a time
  const inFlight: Promise<void>[] = [];
  for (const batch of batches) {
    if (inFlight.length >= 2) await inFlight.shift();
    checkAlive(run);
    const label = `batch of ${batch.members.length}`;
    const xs = onCpu ? run.fwdSaved : batch.saved;
    const enc = encodeForward(run, label, xs, batch.tokens, batch.rows);
    ctx.clearBuffer(enc, batch.dxIn);
    batch.rows.seqs.forEach(({ start, T }, b) => {
      const st = batch.members[b];
      headForward(ctx, enc, model, S, S.xL, start + T, st.best);
      headBackward(ctx, enc, model, S, st.best, start + T, batch.dxIn, false);
    });
    const count = rowCount(batch.rows) * run.c.embeddingLength;
    const reads = [
      ...batch.members.map((st) => ({ buffer: st.best, count: 2 })),
      ...(onCpu ? run.fwdSaved.map((b) => ({ buffer: b, count })) : []),
    ];
    const done = ctx.submitAndRead(enc, reads).then((read) => {
      batch.members.forEach((st, b) => {
        takeBest(st, read[b]);
        run.progress.forward(st);
      });
      if (onCpu) batch.cpu = read.slice(batch.members.length).map((x) => x.slice());
    });
    run.reads.add(done);
    if (onCpu) inFlight.push(done);
  }
  await run.reads.all();
  run.forwardDone = true;
  run.progress.forwardFinished();
}

/**
 * Layer l of the walk for one batch: its recompute and backward over all its rows, then each
 * sample's score on its rows into its set's accumulator and its own partials (folded: each run of
 * one set's members in one kernel per matrix), read in one submit.
 */
export function scoreBatchStep(w: LayerWalk, batch: Batch, parts: Parts[]): void {
  const { run, l } = w;
  const { ctx, model, c, SA: S } = run;
  checkAlive(run);
  const enc = ctx.device.createCommandEncoder({ label: `layer ${l} batch` });
  const x = run.est.savedOn === 'cpu' ? batch.saved[0] : batch.saved[l];
  layerForward(ctx, enc, model, l, S, x, batch.rows, run.rope);
  layerBackward(ctx, enc, model, l, S, x, batch.rows, run.rope, batch.dxIn, batch.dxOut);
  const ops = layerOperands(S, batch.dxIn);
  const longest = Math.max(...batch.rows.seqs.map((q) => q.T));
  if (foldsScore(ctx, run.req.metric, longest)) foldBatch(w, enc, batch, ops, parts);
  else
    batch.rows.seqs.forEach(({ start, T }, b) => {
      const operand = (m: MatrixName) => {
        const { O, I } = matrixShape(c, m);
        return {
          dY: rowSlice(ops[m].dY, start, T, O),
          X: rowSlice(ops[m].X, start, T, I),
          xnorm: ops[m].xnorm,
        };
      };
      scoreSample(w, enc, batch.members[b], operand, (m) => parts[b][m]);
    });
  const reads = batch.members.flatMap((st, b) => singles(run, st, (m) => parts[b][m]));
  run.reads.add(
    ctx.submitAndRead(enc, reads).then((read) =>
      batch.members.forEach((st, b) => {
        takeSingles(run, l, st, read.slice(b * MATRICES.length, (b + 1) * MATRICES.length));
        run.progress.step(l, st.set, st.index);
      }),
    ),
  );
}

/**
 * The batch's score at layer w.l folded (scoreFold): each run of members of one set scored in one
 * kernel per matrix, its A added to the set's sums once; each member's partials in its position.
 */
function foldBatch(
  w: LayerWalk,
  enc: GPUCommandEncoder,
  batch: Batch,
  ops: ReturnType<typeof layerOperands>,
  parts: Parts[],
): void {
  const { run, l } = w;
  const { c, ctx } = run;
  for (const { first, count } of setRuns(batch.members)) {
    const st = batch.members[first];
    const members = batch.members.slice(first, first + count);
    const accumulate = w.setStarted.has(st.set) || 'set';
    const start = batch.rows.seqs[first].start;
    const rows = count * batch.stride;
    const T = members.map((s) => s.T);
    for (const m of MATRICES) {
      const { O, I } = matrixShape(c, m);
      const d = linearDims(c, m, Math.max(...T));
      const p = parts[first][m];
      const part = { buffer: p.buffer, offset: p.offset, size: count * p.size };
      scoreFold(
        ctx,
        enc,
        run.setAcc[st.set][m],
        part,
        rowSlice(ops[m].dY, start, rows, O),
        rowSlice(ops[m].X, start, rows, I),
        run.model.layers[l].m[m],
        d,
        run.req.metric,
        accumulate,
        { T, stride: batch.stride, pstride: p.size / 4 },
      );
    }
    w.setStarted.add(st.set);
    for (const s of members) w.scored.add(s);
  }
}
