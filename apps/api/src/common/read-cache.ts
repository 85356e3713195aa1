/** Where a read of the database began: hand it to `ReadCache.set` with what it read. */
export interface CacheRead {
  generation: number;
  at: number;
}

/**
 * What this process read of some rows, by key, for at most `ttlMs` (this process's monotonic
 * clock): no database round trip per request. Whatever changes a row here forgets it at once;
 * every other process reads it again within `ttlMs`. A read that began before a forget is not
 * kept (it may predate the change), and an entry's age counts from when its read began.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, { value: T; readAt: number }>();
  /** Bumped by every forget and clear. */
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    /** Entries kept at most (the oldest read go first). */
    private readonly maxEntries: number,
  ) {}

  /** The value as read less than `ttlMs` ago, or undefined. */
  get(key: string): T | undefined {
    const cached = this.entries.get(key);
    if (!cached) return undefined;
    if (performance.now() - cached.readAt < this.ttlMs) return cached.value;
    this.entries.delete(key);
    return undefined;
  }

  startRead(): CacheRead {
    return { generation: this.generation, at: performance.now() };
  }

  /** Keeps a value read since `read` began, unless something was forgotten meanwhile. */
  set(key: string, value: T, read: CacheRead): void {
    if (read.generation !== this.generation) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, readAt: read.at });
  }

  /** Told of every forget and clear made here, not of those it passes back (cluster mode: CacheRelay). */
  onForget: ((key: string | null) => void) | null = null;

  /** Forgets `key`: a change was made to it here. */
  forget(key: string): void {
    this.forgetHere(key);
    this.onForget?.(key);
  }

  /** Forgets everything: a change touched entries it cannot name one by one. */
  clear(): void {
    this.forgetHere(null);
    this.onForget?.(null);
  }

  /** Forgets `key` (everything when null) for a change made elsewhere: not told to `onForget`. */
  forgetHere(key: string | null): void {
    this.generation += 1;
    if (key === null) this.entries.clear();
    else this.entries.delete(key);
  }
}
