import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { configWith } from '@missive/config';
import type { DeliveryRecordedV1 } from '@missive/contracts';
import { adminQuery, waitFor } from '@missive/testing';
import { bounceAddress, feedbackMessageId, LinkTokenSigner } from '@missive/tokens';
import { EventTap } from '../../contacts/test/event-tap';
import { dsnMessage, ReportConnection, type Delivery } from './bounce-reports';

const ROOT = join(__dirname, '..', '..', '..');
/** Connections a reporting MTA keeps open, each sending DSN after DSN. */
const CONNECTIONS = 8;
/** The listener is killed once this many DSNs got their 250, with the others of the stream in flight. */
const KILL_AFTER_ACCEPTED = 100;
/** Lets a commit the killed process had already sent end before the table is read. */
const SETTLE_MS = 300;

interface Running {
  child: ChildProcess;
  port: number;
  tail: () => string;
}

function startChild(env: Record<string, string>): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'inbound-listener.child.ts'), JSON.stringify(env)],
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
      const port = /READY (\d+)/.exec(out + data.toString())?.[1];
      if (!port) return;
      child.stdout!.off('data', ready);
      resolve({ child, port: Number(port), tail: () => out });
    };
    child.stdout!.on('data', ready);
    child.once('exit', (code) => reject(new Error(`the listener process exited early (${code}): ${out}`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('R-S8: the inbound listener SIGKILLed during a stream of DSNs', () => {
  const env = { INBOUND_SMTP_PORT: '0', LOG_LEVEL: 'error', QUEUE_NAMESPACE: `crash-${randomUUID().slice(0, 8)}` };
  const config = configWith(env);
  const signer = new LinkTokenSigner(config.linkTokenKeys);
  const tenantId = randomUUID();
  const campaignId = randomUUID();
  const tap = new EventTap(config, new Set([tenantId]));
  let child: ChildProcess | undefined;

  const returnPathOf = (contactId: string) =>
    bounceAddress(signer.mint({ kind: 'bounce', tenantId, region: 'NA', campaignId, contactId }), 'bounces.test');
  const dsnFor = (contactId: string) => {
    const returnPath = returnPathOf(contactId);
    const token = returnPath.slice('bounce+'.length, returnPath.indexOf('@'));
    return dsnMessage({ returnPath, messageId: feedbackMessageId(token, 'links.test') }, [
      { address: `r-${contactId.slice(0, 8)}@dest.example`, action: 'failed', status: '5.1.1' },
    ]);
  };
  const recorded = async (ids: string[]) =>
    (
      await adminQuery<{ contact_id: string; n: number }>(
        'NA',
        `SELECT contact_id, count(*)::int AS n FROM inbound_feedback WHERE tenant_id = $1 AND contact_id = ANY($2)
         GROUP BY contact_id`,
        [tenantId, ids],
      )
    ).reduce((m, r) => m.set(r.contact_id, r.n), new Map<string, number>());

  beforeAll(async () => {
    await adminQuery('global', `INSERT INTO tenants (id, name, region) VALUES ($1, 'bounce crash', 'NA')`, [tenantId]);
    await tap.start('NA', ['delivery.recorded']);
  }, 60000);

  afterAll(async () => {
    if (child) await kill(child);
    await tap.stop();
  });

  it('R-S8: every DSN answered 250 is recorded; the rest are refused or unanswered, and recorded once when sent again', async () => {
    const first = await startChild(env);
    child = first.child;
    const attempts: { contactId: string; answer: Delivery | null }[] = [];
    let enoughAccepted: () => void;
    const accepted = new Promise<void>((resolve) => (enoughAccepted = resolve));
    let acceptedCount = 0;

    // Each connection sends DSN after DSN until the listener dies under it.
    const streams = Array.from({ length: CONNECTIONS }, async () => {
      const connection = await ReportConnection.open(first.port);
      while (!connection.closed) {
        const attempt = { contactId: randomUUID(), answer: null as Delivery | null };
        attempts.push(attempt);
        attempt.answer = await connection.deliver([returnPathOf(attempt.contactId)], dsnFor(attempt.contactId));
        if (attempt.answer.data === 250 && ++acceptedCount === KILL_AFTER_ACCEPTED) enoughAccepted();
      }
    });
    await accepted;
    await kill(first.child);
    child = undefined;
    await Promise.all(streams);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const ids = attempts.map((a) => a.contactId);
    const ok = attempts.filter((a) => a.answer?.data === 250).map((a) => a.contactId);
    const unanswered = attempts.filter((a) => a.answer?.data !== 250).map((a) => a.contactId);
    const before = await recorded(ids);
    const lost = ok.filter((id) => !before.has(id));
    console.log(
      `bounce-crash: ${attempts.length} DSNs sent, ${ok.length} answered 250, ${unanswered.length} without 250 ` +
        `(of which ${unanswered.filter((id) => before.has(id)).length} recorded before the kill)`,
    );
    expect(ok.length).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect([...before.values()].every((n) => n === 1)).toBe(true);

    // The reporting MTA sends again what got no 250: each is recorded exactly once, whatever the kill left.
    const second = await startChild(env);
    child = second.child;
    const connection = await ReportConnection.open(second.port);
    for (const id of unanswered) {
      expect(await connection.deliver([returnPathOf(id)], dsnFor(id))).toEqual({ rcpt: [250], data: 250 });
    }
    connection.close();
    const after = await recorded(ids);
    expect(ids.filter((id) => after.get(id) !== 1)).toEqual([]);

    // And each is published once: the outbox rows committed with them reach the topic after the restart.
    await waitFor(
      () =>
        new Set(tap.of('delivery.recorded', tenantId).map((e) => (e.data as DeliveryRecordedV1).contactId)).size ===
        ids.length,
      {
        what: `a delivery.recorded event for each of the ${ids.length} DSNs`,
        timeoutMs: 30000,
      },
    );
    const eventIds = new Map<string, Set<string>>();
    for (const e of tap.of('delivery.recorded', tenantId)) {
      const contactId = (e.data as DeliveryRecordedV1).contactId;
      eventIds.set(contactId, (eventIds.get(contactId) ?? new Set()).add(e.id));
    }
    expect([...eventIds.values()].filter((s) => s.size !== 1)).toEqual([]);
  }, 120000);
});
