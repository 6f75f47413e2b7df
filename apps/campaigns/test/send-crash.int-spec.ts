import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DevMailSink } from '@missive/dev-mail';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { SEND_WINDOW } from '../src/sending/send-window';
import { seedProjection } from './campaign-helpers';

const ROOT = join(__dirname, '..', '..', '..');
const AUDIENCE = 20000;
const KILL_EVERY_MS = 2000;
const MAX_KILLS = 12;
/** Lets a statement the killed process had already sent (a claim's or a record's commit) end before the ledger is read. */
const SETTLE_MS = 300;

interface Running {
  child: ChildProcess;
  url: string;
  /** The end of what the process printed (errors only, LOG_LEVEL=error), to explain a failure. */
  tail: () => string;
}

function startChild(env: Record<string, string>): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'send-worker.child.ts'), JSON.stringify(env)],
    // @swc-node/register reads ROOT/tsconfig.json (the path aliases) from the working directory.
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (data: Buffer) => {
    out = (out + data.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const ready = (data: Buffer) => {
      const url = /READY (\S+)/.exec(out + data.toString())?.[1];
      if (!url) return;
      child.stdout!.off('data', ready);
      resolve({ child, url, tail: () => out });
    };
    child.stdout!.on('data', ready);
    child.once('exit', (code) => reject(new Error(`the sending process exited early (${code}): ${out}`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('R-S6: a campaign whose sending process is SIGKILLed every 2 s', () => {
  const sink = new DevMailSink({ port: 0, keep: AUDIENCE * 2 });
  // Parent and children share one queue namespace: only the children run the send worker.
  let env: Record<string, string>;
  let support: TestServices;
  let t: TestTenant;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    await sink.start();
    env = {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
      QUEUE_NAMESPACE: `crash-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'error',
    };
    support = await startTestServices([supportService], env);
    t = await createTestTenant(support, { region: 'NA' });
    await seedProjection(t.tenant, AUDIENCE, { list: 'crash', emailPrefix: `crash${Date.now()}-` });
  }, 120000);

  afterAll(async () => {
    if (child) await kill(child);
    await support?.stop();
    await sink.stop();
  }, 60000);

  it('R-S6: restarts resume without a duplicate; sent + skipped + failed + unknown = audience; unknown ⊆ in flight at the kills, at most SEND_WINDOW a kill', async () => {
    let running = await startChild(env);
    child = running.child;
    const api = (method: string, path: string) => http(method, `${running.url}${path}`, { token: t.apiKey });
    const created = await http('POST', `${running.url}/v1/campaigns`, {
      token: t.apiKey,
      body: {
        name: 'crash',
        subject: 'Hello {{ firstName }}',
        fromEmail: 'news@shop.example',
        html: '<p>Hello {{ firstName }}</p><a href="https://shop.example/x">x</a>',
        audience: { lists: ['crash'] },
      },
    });
    expect(created.status).toBe(201);
    const campaignId: string = created.body.id;
    expect((await api('POST', `/v1/campaigns/${campaignId}/send`)).status).toBe(202);

    const ledger = (state: string) =>
      adminQuery<{ contact_id: string }>(
        'NA',
        'SELECT contact_id FROM campaign_deliveries WHERE campaign_id = $1 AND state = $2',
        [campaignId, state],
      ).then((rows) => rows.map((r) => r.contact_id));
    const inFlightAtKills: number[] = [];
    const claimedAtSomeKill = new Set<string>();
    for (let kills = 0; kills < MAX_KILLS; kills += 1) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      await kill(child);
      child = undefined;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      // What the dead process had claimed without recording: the most it may leave unknown.
      const sending = await ledger('sending');
      const fresh = sending.filter((id) => !claimedAtSomeKill.has(id));
      fresh.forEach((id) => claimedAtSomeKill.add(id));
      inFlightAtKills.push(fresh.length);
      const pending = (await ledger('pending')).length;
      running = await startChild(env);
      child = running.child;
      if (pending === 0) break;
    }

    const last = running;
    await waitFor(
      async () => {
        if (last.child.exitCode !== null) throw new Error(`the last sending process died: ${last.tail()}`);
        const [row] = await adminQuery<{ status: string }>('NA', 'SELECT status FROM campaigns WHERE id = $1', [
          campaignId,
        ]);
        return row.status === 'sent';
      },
      { what: 'the campaign to finish after the last restart', timeoutMs: 120000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the last process printed: ${last.tail()}`);
    });

    const recipients = sink.list().flatMap((m) => m.to);
    const duplicates = recipients.length - new Set(recipients).size;
    const report = (await api('GET', `/v1/campaigns/${campaignId}/report`)).body;
    const skipped = Object.values(report.skipped as Record<string, number>).reduce((a, n) => a + n, 0);
    const unknown = await ledger('unknown');
    process.stdout.write(
      `send-crash: ${inFlightAtKills.length} kills, in flight at each ${JSON.stringify(inFlightAtKills)}, ` +
        `sink ${recipients.length} (duplicates ${duplicates}), report ${JSON.stringify(report)}\n`,
    );

    expect(inFlightAtKills.length).toBeGreaterThanOrEqual(3);
    // A message holds a slot of its process's send window from its claim until its outcome is committed.
    expect(Math.max(...inFlightAtKills)).toBeLessThanOrEqual(SEND_WINDOW);
    expect(duplicates).toBe(0);
    expect(report.sent + skipped + report.failed + report.bounced + report.unknown).toBe(AUDIENCE);
    expect(report.unknown).toBe(unknown.length);
    expect(unknown.every((id) => claimedAtSomeKill.has(id))).toBe(true);
    expect(report.unknown).toBeLessThanOrEqual(inFlightAtKills.reduce((a, n) => a + n, 0));
    // Every recorded send reached the sink; what else reached it is among the unknown.
    expect(recipients.length).toBeGreaterThanOrEqual(report.sent);
    expect(recipients.length).toBeLessThanOrEqual(report.sent + report.unknown);
  }, 300000);
});
