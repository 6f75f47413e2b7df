import { connect, type Socket } from 'node:net';

/**
 * A raw SMTP client for tests that need what a mail library hides: pipelined commands, the code of each answer,
 * and a connection the server closes. Each answer is its final line (`250 OK`, `452 4.5.3 …`).
 */
export class SmtpWire {
  private buffer = '';
  private readonly answers: string[] = [];
  private waiting: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\r\n')) >= 0) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        if (line[3] !== '-') this.answers.push(line);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<SmtpWire> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new SmtpWire(socket);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }

  /** The next `count` answers (fewer if the server closes the connection first). */
  async read(count = 1): Promise<string[]> {
    while (this.answers.length < count && !this.closed) {
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.answers.splice(0, count);
  }

  /** Sends the lines in one write (pipelining) and reads one answer for each. */
  async send(...lines: string[]): Promise<string[]> {
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
    return this.read(lines.length);
  }

  /** Writes raw bytes and reads no answer (a message body before its final `.`). */
  write(data: string): void {
    this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The three-digit code of an answer. */
export const codeOf = (answer: string | undefined): number => Number(answer?.slice(0, 3));
