/**
 * Text appended as UTF-8 into one growing buffer of its own (not Node's shared pool), so that a batch's text is one
 * allocation outside the JavaScript heap: nothing for the garbage collector to copy while the batch fills and waits
 * to be written, and no second encoding when it goes to the socket.
 */
export class ByteSink {
  private buf: Buffer;
  length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Appends `text`; returns the byte offset where it starts. */
  append(text: string): number {
    const start = this.length;
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const room = text.length * 3;
    if (start + room > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, start + room));
      this.buf.copy(grown, 0, 0, start);
      this.buf = grown;
    }
    this.length += this.buf.write(text, start, 'utf8');
    return start;
  }

  /** The bytes written: a view of the sink's own buffer (the sink is not written again after this). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}
