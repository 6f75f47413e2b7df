/**
 * Buffers handed back once a batch is written, for the next batches of the same run: an import then allocates a few
 * large buffers, not new ones for every batch. Memory outside the JavaScript heap is only freed when the garbage
 * collector finds its owner dead, so buffers dropped batch after batch pile up between full collections (RSS) and
 * make V8 collect more often to release them.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly maxKept = 12) {}

  /** A buffer of at least `bytes` (its contents are arbitrary). */
  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].length >= bytes) return this.free.splice(i, 1)[0];
    }
    return Buffer.allocUnsafeSlow(bytes);
  }

  /** Hands `buf` back: the caller and every view of it must not be used again. */
  give(buf: Buffer): void {
    if (this.free.length < this.maxKept) this.free.push(buf);
  }
}

/**
 * Text appended as UTF-8 into one growing buffer of its own (not Node's shared pool), so that a batch's text is one
 * allocation outside the JavaScript heap: nothing for the garbage collector to copy while the batch fills and waits
 * to be written, and no second encoding when it goes to the socket. With a pool, its buffers come from and go back to
 * the pool (`release`).
 */
export class ByteSink {
  private buf: Buffer;
  length = 0;

  constructor(
    initialBytes = 64 * 1024,
    private readonly pool?: BufferPool,
  ) {
    this.buf = this.allocate(initialBytes);
  }

  /** Appends `text`; returns the byte offset where it starts. */
  append(text: string): number {
    const start = this.length;
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    this.ensure(start + text.length * 3);
    this.length += this.buf.write(text, start, 'utf8');
    return start;
  }

  private ensure(bytes: number): void {
    if (bytes <= this.buf.length) return;
    const grown = this.allocate(Math.max(this.buf.length * 2, bytes));
    this.buf.copy(grown, 0, 0, this.length);
    this.pool?.give(this.buf);
    this.buf = grown;
  }

  /** Appends `bytes` bytes that `write` puts at the offset it is given; returns that offset. */
  appendWith(bytes: number, write: (target: Buffer, offset: number) => void): number {
    const start = this.length;
    this.ensure(start + bytes);
    write(this.buf, start);
    this.length += bytes;
    return start;
  }

  /** The bytes written: a view of the sink's own buffer (the sink is not written again after this). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** Hands the buffer back to the pool: what `bytes` returned must not be read after this. */
  release(): void {
    this.pool?.give(this.buf);
    this.buf = EMPTY;
    this.length = 0;
  }

  private allocate(bytes: number): Buffer {
    return this.pool ? this.pool.take(bytes) : Buffer.allocUnsafeSlow(bytes);
  }
}

const EMPTY = Buffer.alloc(0);
