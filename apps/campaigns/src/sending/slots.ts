interface Waiter {
  wanted: number;
  atLeast: number;
  resolve: (slots: number) => void;
}

/** A counted resource of `size` slots, handed out first come, first served. */
export class Slots {
  private free: number;
  private readonly waiters: Waiter[] = [];

  constructor(private readonly size: number) {
    this.free = size;
  }

  /** Slots held now. */
  get taken(): number {
    return this.size - this.free;
  }

  /** Resolves with 1..`wanted` slots once at least `atLeast` (capped at `wanted`) are free. */
  acquire(wanted: number, atLeast = wanted): Promise<number> {
    const want = Math.max(1, Math.min(wanted, this.size));
    const waiter = { wanted: want, atLeast: Math.max(1, Math.min(atLeast, want)) };
    if (this.waiters.length === 0 && this.free >= waiter.atLeast) return Promise.resolve(this.take(waiter));
    return new Promise((resolve) => this.waiters.push({ ...waiter, resolve }));
  }

  release(slots: number): void {
    if (slots <= 0) return;
    this.free = Math.min(this.size, this.free + slots);
    while (this.waiters.length && this.free >= this.waiters[0].atLeast) {
      const waiter = this.waiters.shift()!;
      waiter.resolve(this.take(waiter));
    }
  }

  private take(waiter: { wanted: number }): number {
    const slots = Math.min(waiter.wanted, this.free);
    this.free -= slots;
    return slots;
  }
}
