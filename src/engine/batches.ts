// The batched layer walk: a batch's samples stacked `stride` rows apart (batch-plan.ts), so that
// the forward, the walk's recompute and its backward-input run as one GEMM over all their rows;
// RoPE and attention run per sample on its slice (perSequence), the head on each sample's last
// row, the score on each sample's rows into its set's accumulator. Every stacked op is row-wise,
// so a sample's rows get what its own walk would give them: bit for bit with the simple linears;
// the tiled ones may split K differently for more rows (the same sums in another order). The
// padding rows between samples are computed and never read by a cross-row op.
import { MATRICES, matrixShape, type MatrixName } from '../model/config';
import type { Bound } from '../gpu/context';
import {
  embed,
  headBackward,
  headForward,
  layerBackward,
  layerForward,
  layerOperands,
  linearDims,
  type Rows,
} from '../gpu/llama';
import { scoreReduce, scoreSlots } from '../gpu/ops/score';
import { batchGroups, type BatchGroup } from './batch-plan';
import { checkAlive, takeSingles, type GpuRun, type LayerWalk, type SampleState } from './gpu-run';

const F32 = 4;
/** Layers of a batch's forward per submit (the GPU starts while the rest is encoded). */
const FORWARD_LAYERS_PER_SUBMIT = 4;

/** A batch's buffers: stacked tokens, layer inputs and gradients; its samples' partials. */
export interface Batch {
  members: SampleState[];
  stride: number;
  rows: Exclude<Rows, number>;
  tokens: GPUBuffer;
  /** x_l (rows, C) for l = 0 … L−1 */
  saved: GPUBuffer[];
  /** (rows, C) gradients at the current layer's output and input */
  dxIn: GPUBuffer;
  dxOut: GPUBuffer;
}

/**
 * Allocates the batches of `run.est.batch` samples each; `buf` allocates a run-owned buffer.
 * Returns them, and per position in a batch the score partials (shared across batches: each
 * batch's readback is copied in its own submit before the next batch writes them).
 */
export function allocateBatches(
  run: GpuRun,
  buf: (floats: number, label: string) => GPUBuffer,
): { batches: Batch[]; parts: Record<MatrixName, GPUBuffer>[] } {
  const { c, ctx } = run;
  const [L, C] = [c.blockCount, c.embeddingLength];
  const groups = batchGroups(
    c,
    run.states.map((st) => st.T),
    run.est.batch,
  );
  const batches = groups.map((g: BatchGroup, k) => {
    const members = g.members.map((i) => run.states[i]);
    const n = members.length * g.stride;
    const ids = new Uint32Array(n); // padding rows read token 0
    members.forEach((st, b) =>
      ids.set(run.req.sets[st.set].samples[st.index].tokens, b * g.stride),
    );
    const tokens = ctx.upload(ids, `batch ${k} tokens`);
    run.owned.push(tokens);
    return {
      members,
      stride: g.stride,
      rows: { rows: n, seqs: members.map((st, b) => ({ start: b * g.stride, T: st.T })) },
      tokens,
      saved: Array.from({ length: L }, (_, l) => buf(n * C, `batch ${k} x${l}`)),
      dxIn: buf(n * C, `batch ${k} dxIn`),
      dxOut: buf(n * C, `batch ${k} dxOut`),
    };
  });
  const B = Math.max(...groups.map((g) => g.members.length));
  const parts = Array.from(
    { length: B },
    (_, b) =>
      Object.fromEntries(
        MATRICES.map((m) => {
          const slots = scoreSlots(linearDims(c, m, 1));
          return [m, buf(slots * 3, `part ${b}.${m}`)];
        }),
      ) as Record<MatrixName, GPUBuffer>,
  );
  return { batches, parts };
}

/** Every batch's forward, each sample's max logit and token, and the gradient D sends back. */
export async function forwardBatches(run: GpuRun, batches: Batch[]): Promise<void> {
  const { ctx, model, SA: S } = run;
  const L = run.c.blockCount;
  let done = 0;
  for (const batch of batches) {
    checkAlive(run);
    let enc = ctx.device.createCommandEncoder({
      label: `forward batch of ${batch.members.length}`,
    });
    embed(ctx, enc, model, batch.saved[0], batch.tokens, batch.rows.rows);
    for (let l = 0; l < L; l++) {
      const out = l + 1 < L ? batch.saved[l + 1] : S.xL;
      layerForward(ctx, enc, model, l, S, batch.saved[l], batch.rows, run.rope, out);
      if ((l + 1) % FORWARD_LAYERS_PER_SUBMIT === 0 && l + 1 < L) {
        run.reads.add(ctx.submit(enc));
        enc = ctx.device.createCommandEncoder({ label: `forward batch from ${l + 1}` });
      }
    }
    ctx.clearBuffer(enc, batch.dxIn);
    batch.rows.seqs.forEach(({ start, T }, b) => {
      const st = batch.members[b];
      headForward(ctx, enc, model, S, S.xL, start + T, st.best);
      headBackward(ctx, enc, model, S, st.best, start + T, batch.dxIn, false);
    });
    const reads = batch.members.map((st) => ({ buffer: st.best, count: 2 }));
    run.reads.add(
      ctx.submitAndRead(enc, reads).then((best) =>
        batch.members.forEach((st, b) => {
          st.result.argmax = new Uint32Array(best[b].buffer, best[b].byteOffset, 2)[0];
          st.result.maxLogit = best[b][1];
          run.progress.forward(done++, st);
        }),
      ),
    );
  }
  await run.reads.all();
  run.forwardDone = true;
  run.progress.forwardFinished();
}

/** A (T, width) slice at row `start` of a stacked (rows, width) buffer. */
const rowsOf = (buffer: GPUBuffer, start: number, T: number, width: number): Bound => ({
  buffer,
  offset: start * width * F32,
  size: T * width * F32,
});

/**
 * Layer l of the walk for one batch: its recompute and backward over all its rows, then each
 * sample's score on its rows into its set's accumulator and its own partials, read in one submit.
 */
export function scoreBatchStep(
  w: LayerWalk,
  batch: Batch,
  parts: Record<MatrixName, GPUBuffer>[],
): void {
  const { run, l } = w;
  const { ctx, model, c, SA: S } = run;
  checkAlive(run);
  const enc = ctx.device.createCommandEncoder({ label: `layer ${l} batch` });
  const x = batch.saved[l];
  layerForward(ctx, enc, model, l, S, x, batch.rows, run.rope);
  layerBackward(ctx, enc, model, l, S, x, batch.rows, run.rope, batch.dxIn, batch.dxOut);
  const ops = layerOperands(S, batch.dxIn);
  batch.rows.seqs.forEach(({ start, T }, b) => {
    const st = batch.members[b];
    const first = w.setStarted.has(st.set) || 'set';
    for (const m of MATRICES) {
      const { O, I } = matrixShape(c, m);
      const [dY, X] = [rowsOf(ops[m].dY, start, T, O), rowsOf(ops[m].X, start, T, I)];
      const W = model.layers[l].m[m];
      const d = linearDims(c, m, T);
      scoreReduce(
        ctx,
        enc,
        run.setAcc[st.set][m],
        parts[b][m],
        dY,
        X,
        W,
        ops[m].xnorm,
        d,
        run.req.metric,
        first,
      );
    }
    w.setStarted.add(st.set);
    w.scored.add(st);
  });
  const reads = batch.members.flatMap((st, b) =>
    MATRICES.map((m) => ({
      buffer: parts[b][m],
      count: scoreSlots(linearDims(c, m, st.T), ctx) * 3,
    })),
  );
  run.reads.add(
    ctx.submitAndRead(enc, reads).then((read) =>
      batch.members.forEach((st, b) => {
        takeSingles(run, l, st, read.slice(b * MATRICES.length, (b + 1) * MATRICES.length));
        run.progress.step(l, st.set, st.index);
      }),
    ),
  );
}
