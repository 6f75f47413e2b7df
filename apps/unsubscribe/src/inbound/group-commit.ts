interface Submission<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items for the same key are written together, at most one write per key at a time. The first
 * submission of a quiet key is written at once; those that arrive while a write runs go together in the next one,
 * so a burst of DSNs for one tenant costs a few transactions instead of one each, and nothing waits when it is calm.
 * Each `submit` resolves only once the write holding its items succeeded, and rejects when that write failed.
 */
export class GroupCommit<T> {
  private readonly running = new Set<string>();
  private readonly queues = new Map<string, Submission<T>[]>();

  constructor(
    private readonly write: (key: string, items: T[]) => Promise<void>,
    /** Items a write takes at most; a single larger submission still goes whole. */
    private readonly maxItems: number,
  ) {}

  submit(key: string, items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ items, resolve, reject });
      this.queues.set(key, queue);
      if (!this.running.has(key)) this.flush(key);
    });
  }

  private flush(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    let count = queue[0].items.length;
    let taken = 1;
    while (taken < queue.length && count + queue[taken].items.length <= this.maxItems) {
      count += queue[taken].items.length;
      taken += 1;
    }
    const batch = queue.splice(0, taken);
    if (queue.length === 0) this.queues.delete(key);
    this.running.add(key);
    this.write(
      key,
      batch.flatMap((s) => s.items),
    ).then(
      () => this.done(key, batch, null),
      (error: unknown) => this.done(key, batch, { error }),
    );
  }

  private done(key: string, batch: Submission<T>[], failure: { error: unknown } | null): void {
    this.running.delete(key);
    for (const s of batch) {
      if (failure) s.reject(failure.error);
      else s.resolve();
    }
    this.flush(key);
  }
}
