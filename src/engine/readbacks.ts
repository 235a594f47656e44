// The GPU run's readbacks in flight. The forward's are awaited once after it (the CPU mode needs
// its copies); the layer walk's one layer behind, so that the next layer is encoded while this
// one runs (every readback has its own staging buffer, and the queue orders each copy before the
// reuse of what it copies); cancel and progress stay within about a layer.
export class Readbacks {
  private inflight: Promise<void>[] = [];
  private previous: Promise<void>[] = [];
  /** layers whose every readback has landed */
  readonly layersDone: number[] = [];

  add(read: Promise<void>): void {
    this.inflight.push(read);
  }

  /** Waits for every readback added so far. */
  async all(): Promise<void> {
    const mine = this.inflight;
    this.inflight = [];
    await Promise.all(mine);
  }

  /** Ends layer l's readbacks: waits for the layer before's, not these. */
  async endLayer(l: number): Promise<void> {
    const mine = this.inflight;
    this.inflight = [];
    void Promise.all(mine).then(
      () => this.layersDone.push(l),
      () => {},
    );
    await Promise.all(this.previous);
    this.previous = mine;
  }

  /** Waits for the last layer's readbacks. */
  async drain(): Promise<void> {
    await Promise.all(this.previous);
  }

  /** Lets every readback end, failed or not (before a failed or cancelled run frees its buffers). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inflight, ...this.previous]);
  }
}
