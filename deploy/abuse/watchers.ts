// What the abuse suite watches while an attack runs: the host's /health answered by a poller, and another tenant's
// ordinary reads and writes. Each keeps its worst since the last `mark()`, so every attack gets its own figures.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { http, type TestTenant } from '@missive/testing';

/** An answer slower than this counts as none. */
const TIMEOUT_MS = 5000;

/**
 * Polls /health every `intervalMs` from a child process (deploy/abuse/health-poller.mjs), so the latency measured
 * is the host's, not the busy test process's; a call that fails or takes over 5 s counts as a failure.
 */
export class HealthWatcher {
  private child: ChildProcess | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly intervalMs = 25,
  ) {}

  start(): void {
    this.child = fork(join(__dirname, 'health-poller.mjs'), [this.baseUrl, String(this.intervalMs)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  /** The worst latency (ms), the failures and the samples since the previous mark. */
  mark(): Promise<{ worstMs: number; failures: number; samples: number }> {
    const child = this.child!;
    return new Promise((resolve) => {
      child.once('message', (figures) => resolve(figures as { worstMs: number; failures: number; samples: number }));
      child.send('mark');
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Another tenant using the API as usual while an attack runs: an upsert and a lookup of its own contact, over and
 * over. Any 5xx, network error or answer slower than 5 s is recorded with what it was.
 */
export class NeighbourTenant {
  private problems: string[] = [];
  private requests = 0;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly tenant: TestTenant,
  ) {}

  start(): void {
    this.running = true;
    const email = `neighbour-${this.tenant.tenant.id.slice(0, 8)}@example.com`;
    this.loop = (async () => {
      let n = 0;
      while (this.running) {
        n++;
        await this.call('POST /v1/contacts', () =>
          http('POST', `${this.baseUrl}/v1/contacts`, {
            token: this.tenant.apiKey,
            body: { email, firstName: `N${n}`, lawfulBasis: 'contract' },
          }),
        );
        await this.call('GET /v1/contacts?email=', () =>
          http('GET', `${this.baseUrl}/v1/contacts?email=${encodeURIComponent(email)}`, { token: this.tenant.apiKey }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  }

  private async call(what: string, request: () => Promise<{ status: number }>): Promise<void> {
    const t0 = performance.now();
    try {
      const res = await Promise.race([
        request(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), TIMEOUT_MS)),
      ]);
      const ms = performance.now() - t0;
      this.requests++;
      if (res.status >= 500) this.problems.push(`${what}: ${res.status}`);
      else if (ms > TIMEOUT_MS) this.problems.push(`${what}: ${Math.round(ms)} ms`);
    } catch (error) {
      this.requests++;
      this.problems.push(`${what}: ${(error as Error).message}`);
    }
  }

  /** The problems and requests since the previous mark. */
  mark(): { problems: string[]; requests: number } {
    const result = { problems: this.problems, requests: this.requests };
    this.problems = [];
    this.requests = 0;
    return result;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
