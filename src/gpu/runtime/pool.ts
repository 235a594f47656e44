// A run's storage buffers kept for the next run, by exact size. Creating a large buffer costs the
// CPU a memory allocation in the driver (on an H100's Vulkan ≈ 0.37 ms a buffer, ≈ 75 ms for the
// ≈ 200 buffers of a 7B run: bench/results/README.md, session 18's --cpu-time), so repeated runs of
// one shape (a Try-it after another, a bench's repeats, a workload's sets) reuse the last run's.
// The pool holds at most one run's buffers: a run's first request the pool cannot meet destroys
// whatever still waits there, so a run never holds more than it asked for (src/engine/run-gpu.ts
// asks first for what does not depend on the samples' lengths — the set sums, the largest — so a
// run of other lengths still reuses those).

/** What a pooled buffer needs from the device. */
type PoolDevice = Pick<GPUDevice, 'createBuffer' | 'createCommandEncoder' | 'queue'>;

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  /** buffers taken from the pool and created anew (counts since the context was made) */
  readonly stats = { reused: 0, created: 0 };

  constructor(private readonly device: PoolDevice) {}

  /** Bytes the pool holds unused. */
  get bytes(): number {
    let n = 0;
    for (const list of this.free.values()) for (const b of list) n += b.size;
    return n;
  }

  /**
   * A zero-filled storage buffer of `byteLength` bytes (rounded up to 4): one the last run gave
   * back (cleared on the GPU by `flush`, which must come before anything writes it), else a new
   * one — and then the pool's other buffers are destroyed.
   */
  take(byteLength: number, label?: string): GPUBuffer {
    const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
    const b = this.free.get(size)?.pop();
    if (b) {
      this.stats.reused++;
      this.pending.push(b);
      if (label !== undefined) b.label = label;
      return b;
    }
    this.trim();
    this.stats.created++;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    return this.device.createBuffer({ label, size, usage });
  }

  /** Clears the buffers taken from the pool since the last flush (one submit; queue order). */
  flush(): void {
    if (this.pending.length === 0) return;
    const enc = this.device.createCommandEncoder({ label: 'pool clears' });
    for (const b of this.pending) enc.clearBuffer(b);
    this.device.queue.submit([enc.finish()]);
    this.pending = [];
  }

  /** Takes a finished run's buffers (its readbacks settled); what waited unused is destroyed. */
  giveBack(buffers: GPUBuffer[]): void {
    this.trim();
    for (const b of buffers) {
      const list = this.free.get(b.size) ?? [];
      list.push(b);
      this.free.set(b.size, list);
    }
  }

  /** Destroys every buffer waiting in the pool (before other work needs the memory). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
