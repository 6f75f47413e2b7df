// A small harness for distributed mode: each service a process of its own (`node dist/apps/<service>/main.js`),
// started with an explicit environment, ready once its /ready answers 200, stopped with SIGTERM (or SIGKILLed), with
// the end of its output kept to explain a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bundlePath, type BundleName } from './build-services';

const ROOT = join(__dirname, '..', '..');
const TAIL_CHARS = 6000;

/** Children still running; killed when this process exits, whatever way it ends, so none is left behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1, never one handed out before by this process. */
const handedOut = new Set<number>();
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: chosen } = server.address() as { port: number };
        server.close(() => resolve(chosen));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface ServiceProcessSpec {
  service: BundleName;
  /** A name of its own for messages and INSTANCE_ID, e.g. `campaigns-b`. */
  name: string;
  /** The whole environment of the process (nothing is inherited from the test's). */
  env: Record<string, string>;
  /** Node flags before the bundle (benches: `--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
}

/** One running service process. */
export class ServiceProcess {
  private output = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly service: BundleName,
    readonly child: ChildProcess,
    /** `http://127.0.0.1:<PORT>`: public API and link host. */
    readonly publicUrl: string,
    /** `http://127.0.0.1:<SUPPORT_PORT>`: the internal support API, where the service has one. */
    readonly supportUrl: string,
    /** INBOUND_SMTP_PORT: the inbound listener for `unsubscribe+{token}@`, where the process runs it. */
    readonly inboundSmtpPort: number,
  ) {
    const keep = (data: Buffer) => {
      this.output = (this.output + data.toString()).slice(-TAIL_CHARS);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve();
      }),
    );
  }

  /** Spawns the process on free ports (PORT, SUPPORT_PORT, INBOUND_SMTP_PORT); does not wait for it to be ready. */
  static async spawn(spec: ServiceProcessSpec): Promise<ServiceProcess> {
    const [port, supportPort, inboundPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', ...(spec.nodeArgs ?? []), bundlePath(spec.service)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          // The single-node host in one process, as each service is, unless a test asks for its workers.
          SINGLE_NODE_WORKERS: '1',
          ...spec.env,
          PORT: String(port),
          SUPPORT_PORT: String(supportPort),
          INBOUND_SMTP_PORT: String(inboundPort),
          INSTANCE_ID: spec.name,
        },
      },
    );
    return new ServiceProcess(
      spec.name,
      spec.service,
      child,
      `http://127.0.0.1:${port}`,
      `http://127.0.0.1:${supportPort}`,
      inboundPort,
    );
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** The end of what the process printed, prefixed with its name and how it ended. */
  tail(): string {
    const state = this.exit ? `exited (code ${this.exit.code}, signal ${this.exit.signal})` : 'running';
    return `--- ${this.name} (pid ${this.child.pid}, ${state}) ---\n${this.output.trim() || '(no output)'}`;
  }

  /** Resolves once /ready answers 200 on every listener it has; rejects with its output if it dies or times out. */
  async ready(timeoutMs = 120000): Promise<void> {
    const urls = this.service === 'support' ? [this.publicUrl, this.supportUrl] : [this.publicUrl];
    const deadline = Date.now() + timeoutMs;
    for (const url of urls) {
      for (;;) {
        if (!this.alive) throw new Error(`${this.name} exited before it was ready\n${this.tail()}`);
        const status = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) break;
        if (Date.now() > deadline)
          throw new Error(`${this.name} not ready after ${timeoutMs} ms (last /ready: ${status})\n${this.tail()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** SIGKILL: no shutdown hook runs (a crash). Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful shutdown, R-X4), SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The processes of one distributed deployment, started together and always stopped together. */
export class ServiceFleet {
  readonly processes: ServiceProcess[] = [];

  /** Spawns every spec at once and waits until all are ready; on failure the message carries every tail. */
  async start(specs: ServiceProcessSpec[], timeoutMs = 150000): Promise<ServiceProcess[]> {
    const started = await Promise.all(specs.map((spec) => ServiceProcess.spawn(spec)));
    this.processes.push(...started);
    const results = await Promise.allSettled(started.map((p) => p.ready(timeoutMs)));
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failed.length) throw new Error(`${failed.length} service process(es) did not start:\n${failed.join('\n')}`);
    return started;
  }

  get(name: string): ServiceProcess {
    const found = this.processes.find((p) => p.name === name);
    if (!found) throw new Error(`no service process named ${name}`);
    return found;
  }

  /** Every process's output tail, for a failure message. */
  tails(): string {
    return this.processes.map((p) => p.tail()).join('\n');
  }

  /** Stops every process still running (SIGTERM, then SIGKILL); never throws. */
  async stopAll(graceMs = 15000): Promise<void> {
    await Promise.allSettled(this.processes.map((p) => p.stop(graceMs)));
  }
}
