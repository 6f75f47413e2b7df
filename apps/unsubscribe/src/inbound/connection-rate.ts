/**
 * Connections a client address may open per window (R-X6): a fixed window per address, in memory (the listener is
 * one process; each replica bounds its own share). At most `maxAddresses` are tracked: past that, windows that
 * have ended are dropped first, then the oldest, so a flood of addresses cannot grow it without bound.
 */
export class ConnectionRate {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxAddresses = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a connection from `address`; false when it is over the address's allowance for this window. */
  admit(address: string): boolean {
    const now = this.now();
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.delete(address);
      this.windows.set(address, { start: now, count: 1 });
      this.bound(now);
      return true;
    }
    window.count++;
    return window.count <= this.perWindow;
  }

  private bound(now: number): void {
    if (this.windows.size <= this.maxAddresses) return;
    for (const [address, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(address);
    }
    while (this.windows.size > this.maxAddresses) this.windows.delete(this.windows.keys().next().value as string);
  }

  get size(): number {
    return this.windows.size;
  }
}
