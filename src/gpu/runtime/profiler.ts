// GPU time per kernel from timestamp queries (the adapter's `timestamp-query` feature): each
// dispatch's compute pass writes a begin and an end timestamp; submit resolves them and adds the
// durations up per pipeline (op:entry point:constants). For benchmarks only: it adds a readback
// per submit.
export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private labels: string[] = [];
  /** label → [dispatches, nanoseconds] */
  readonly totals = new Map<string, [number, number]>();
  readonly capacity: number;
  /**
   * The longest submit's GPU time in ns: its first pass's begin to its last pass's end (what a
   * browser's GPU watchdog sees of one submit; idle gaps between its passes included)
   */
  longestSubmitNs = 0;
  /** whether a submit had more passes than the query set holds (its span then runs short) */
  truncated = false;

  constructor(
    private readonly device: GPUDevice,
    capacity = 2048,
  ) {
    if (!device.features.has('timestamp-query'))
      throw new Error('the device has no timestamp-query feature');
    this.capacity = capacity;
    this.querySet = device.createQuerySet({ type: 'timestamp', count: capacity * 2 });
  }

  /** timestampWrites for the next pass, or undefined when the query set is full. */
  next(label: string): GPUComputePassTimestampWrites | undefined {
    const i = this.labels.length;
    if (i >= this.capacity) return undefined;
    this.labels.push(label);
    return {
      querySet: this.querySet,
      beginningOfPassWriteIndex: 2 * i,
      endOfPassWriteIndex: 2 * i + 1,
    };
  }

  /** Adds resolve commands to `enc` for what was recorded; returns a function that reads them. */
  resolve(enc: GPUCommandEncoder): (() => Promise<void>) | null {
    const n = this.labels.length;
    if (n === 0) return null;
    if (n >= this.capacity) this.truncated = true;
    const labels = this.labels;
    this.labels = [];
    const bytes = n * 2 * 8;
    const resolved = this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const staging = this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    enc.resolveQuerySet(this.querySet, 0, n * 2, resolved, 0);
    enc.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    return async () => {
      await staging.mapAsync(GPUMapMode.READ);
      const t = new BigUint64Array(staging.getMappedRange());
      if (n > 0) {
        let [lo, hi] = [t[0], t[1]];
        for (let i = 1; i < n; i++) {
          if (t[2 * i] < lo) lo = t[2 * i];
          if (t[2 * i + 1] > hi) hi = t[2 * i + 1];
        }
        this.longestSubmitNs = Math.max(this.longestSubmitNs, Number(hi - lo));
      }
      labels.forEach((label, i) => {
        const d = Number(t[2 * i + 1] - t[2 * i]);
        const cur = this.totals.get(label) ?? [0, 0];
        this.totals.set(label, [cur[0] + 1, cur[1] + (d > 0 ? d : 0)]);
      });
      staging.unmap();
      staging.destroy();
      resolved.destroy();
    };
  }

  /** Rows sorted by total time: label, dispatches, total ms. */
  table(): { kernel: string; dispatches: number; ms: number }[] {
    return [...this.totals]
      .map(([kernel, [n, ns]]) => ({ kernel, dispatches: n, ms: ns / 1e6 }))
      .sort((a, b) => b.ms - a.ms);
  }
}
