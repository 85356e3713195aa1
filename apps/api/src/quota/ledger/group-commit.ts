/**
 * Group commit, as a schedule (no I/O of its own): items for one key (one hot row) run in
 * batches, one batch per key at a time. The first item runs at once, alone; the items that arrive
 * while a batch runs wait, and run together as the next batch (at most `maxBatch` of them). Under
 * no load nothing waits; under load the row's lock is taken once per batch instead of once per
 * item.
 */
export class GroupCommit<T> {
  /** The keys with a batch running, and what waits for the next one. */
  private readonly waiting = new Map<string, T[]>();

  constructor(
    /** Runs one batch; must settle every item itself (a rejection here is lost). */
    private readonly runBatch: (key: string, items: T[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, not ${maxBatch}`);
  }

  add(key: string, item: T): void {
    const queue = this.waiting.get(key);
    if (queue) {
      queue.push(item);
      return;
    }
    this.waiting.set(key, []);
    void this.drain(key, [item]);
  }

  /** Items waiting behind the running batches (for tests and metrics). */
  get pending(): number {
    let count = 0;
    for (const queue of this.waiting.values()) count += queue.length;
    return count;
  }

  private async drain(key: string, first: T[]): Promise<void> {
    let batch = first;
    for (;;) {
      try {
        await this.runBatch(key, batch);
      } catch {
        // runBatch settles its items; a throw past it must not stop the items behind.
      }
      const queue = this.waiting.get(key)!;
      if (queue.length === 0) {
        this.waiting.delete(key);
        return;
      }
      batch = queue.splice(0, this.maxBatch);
    }
  }
}
