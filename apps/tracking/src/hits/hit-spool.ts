import {
  copyFile,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rmdir,
  stat,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';

/** A writer closes its segment after this long without a write, so a segment is never appended to again. */
const IDLE_CLOSE_MS = 1000;
/** Another instance's segment untouched for this long is closed for good (its writer closed it, or died). */
const ADOPT_AFTER_MS = 30000;

/**
 * The local durable spool of hits that could not reach Kafka in time (R-K5): newline-delimited event envelopes in
 * segment files under `<dir>/<instanceId>/`. `append` returns only after the lines are on disk (write + fsync),
 * which is what lets the link host answer a hit while the broker is away. A crash in the middle of an append
 * leaves a torn last line, which readers skip: that hit was never acknowledged.
 *
 * Segments are replayed (by the HitPublisher) once closed, then deleted. A segment of another instance (a process
 * that restarted with a new instance id) is adopted by renaming it into this instance's folder — atomic, so two
 * adopters never both get it — once nobody has written to it for ADOPT_AFTER_MS.
 */
export class HitSpool {
  private readonly own: string;
  private current: { path: string; handle: FileHandle; lastWrite: number } | null = null;
  /** The segment an append is creating, until it becomes `current`. */
  private opening: string | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Appends and closes in order, one at a time. */
  private tail: Promise<unknown> = Promise.resolve();
  private sequence = 0;

  /** `formerRoots`: where earlier versions kept the spool; their closed segments are adopted like abandoned ones. */
  constructor(
    private readonly root: string,
    instanceId: string,
    private readonly formerRoots: string[] = [],
  ) {
    this.own = join(root, instanceId.replace(/[^\w.-]/g, '_'));
  }

  /** Writes the lines durably (fsync) to the open segment, opening one if needed. */
  append(lines: string[]): Promise<void> {
    return this.serial(async () => {
      if (!this.current) {
        const path = join(this.own, `${Date.now().toString().padStart(15, '0')}-${++this.sequence}.ndjson`);
        // Named as open before the file exists: a replay listing the folder meanwhile must not take it as closed.
        this.opening = path;
        try {
          await mkdir(this.own, { recursive: true });
          const handle = await open(path, 'a');
          // The new file's directory entry is durable too; the segment is open from here, even if that fails.
          this.current = { path, handle, lastWrite: Date.now() };
          await syncDirectory(this.own);
        } finally {
          this.opening = null;
        }
      }
      await this.current.handle.write(lines.join('\n') + '\n');
      await this.current.handle.datasync();
      this.current.lastWrite = Date.now();
      this.scheduleIdleClose();
    });
  }

  /** Closes the open segment so it can be replayed; later appends open a new one. */
  closeCurrent(): Promise<void> {
    return this.serial(() => this.closeSegment());
  }

  /** Closed segments to replay, oldest first: this instance's, plus other instances' that are closed for good. */
  async closedSegments(): Promise<string[]> {
    await this.adoptAbandoned();
    const names = await readdir(this.own).catch(() => [] as string[]);
    // Read after the listing: a segment listed while it was being opened is `opening` or `current` by now.
    const open = new Set([this.opening, this.current?.path]);
    return names
      .filter((n) => n.endsWith('.ndjson'))
      .sort()
      .map((n) => join(this.own, n))
      .filter((p) => !open.has(p));
  }

  /** The complete lines of a segment (a torn last line is left out). */
  async read(path: string): Promise<string[]> {
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    return lines.filter((l) => l.length > 0);
  }

  async remove(path: string): Promise<void> {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    await this.closeCurrent();
  }

  private async adoptAbandoned(): Promise<void> {
    for (const root of [this.root, ...this.formerRoots]) await this.adoptFrom(root);
  }

  private async adoptFrom(root: string): Promise<void> {
    const instances = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const entry of instances) {
      const dir = join(root, entry.name);
      if (!entry.isDirectory() || dir === this.own) continue;
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.ndjson'));
      for (const name of names) {
        const path = join(dir, name);
        const info = await stat(path).catch(() => null);
        if (!info || Date.now() - info.mtimeMs < ADOPT_AFTER_MS) continue;
        await mkdir(this.own, { recursive: true });
        await moveSegment(path, join(this.own, `${name.replace(/\.ndjson$/, '')}-adopted-${entry.name}.ndjson`));
      }
      await rmdir(dir).catch(() => undefined); // only succeeds once empty
    }
  }

  private scheduleIdleClose(): void {
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      void this.serial(async () => {
        if (!this.current) return;
        if (Date.now() - this.current.lastWrite >= IDLE_CLOSE_MS) await this.closeSegment();
        else this.scheduleIdleClose();
      });
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  private async closeSegment(): Promise<void> {
    const segment = this.current;
    this.current = null;
    if (segment) await segment.handle.close();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a segment into this instance's folder: a rename, atomic, so two adopters never both get it (the loser's
 * fails, as it should). Across file systems (SPOOL_DIR on a volume of its own) it is a copy and an unlink instead; a
 * segment two adopters both copied is replayed twice, and its events' ids make the second time a no-op downstream.
 */
async function moveSegment(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') return; // another instance adopted it first
    await copyFile(from, to);
    await unlink(from).catch(() => undefined);
  }
}
