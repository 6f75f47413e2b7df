import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { optOutSetKey } from '@missive/redis';
import {
  adminQuery,
  closeAdminPools,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { bounceAddress, feedbackMessageId, LinkTokenSigner } from '@missive/tokens';
import { campaignsService } from '../apps/campaigns/src/service';
import { contactsService } from '../apps/contacts/src/service';
import { supportService } from '../apps/support/src/service';
import { InboundSmtpLifecycle } from '../apps/unsubscribe/src/inbound/inbound-smtp.lifecycle';
import { unsubscribeService } from '../apps/unsubscribe/src/service';
import { dsnMessage, ReportConnection } from '../apps/unsubscribe/test/bounce-reports';
import type { BenchRow } from './bench-report';

/** DSNs of the ingestion run, each for its own contact, over CONNECTIONS connections kept open. */
const DSNS = 5000;
const CONNECTIONS = 16;
/** Real contacts hard-bounced one after the other, about 50 a second, to time the send gate's refusal. */
const GATE_CONTACTS = 200;
const GATE_PACE_MS = 20;

const ENV = {
  SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
  INBOUND_SMTP_PORT: '0',
  TENANT_RATE_LIMIT_PER_SECOND: '100000',
  LOG_LEVEL: 'error',
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * A hard-bounce DSN for one contact's message, to that message's Return-Path (the compact VERP token, as the send
 * worker writes it), returning its headers (the Message-ID's token names the campaign).
 */
function dsnFor(services: TestServices, t: TestTenant, campaignId: string, contactId: string) {
  const signer = new LinkTokenSigner(services.config.linkTokenKeys);
  const token = signer.mint({ kind: 'bounce', tenantId: t.tenant.id, region: 'NA', campaignId, contactId });
  const returnPath = bounceAddress(
    signer.mintVerp({ kind: 'bounce', tenantId: t.tenant.id, contactId }),
    'bounces.bench',
  );
  return {
    returnPath,
    message: dsnMessage({ returnPath, messageId: feedbackMessageId(token, 'links.bench') }, [
      { address: 'someone@dest.example', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' },
    ]),
  };
}

/** (1) DSNs prepared before the clock starts, sent as fast as the listener answers each 250. */
async function ingest(services: TestServices, t: TestTenant): Promise<BenchRow[]> {
  const port = services.publicApp!.get(InboundSmtpLifecycle).port!;
  const campaignId = randomUUID();
  const prepared = Array.from({ length: DSNS }, () => dsnFor(services, t, campaignId, randomUUID()));
  let next = 0;
  let accepted = 0;
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const connection = await ReportConnection.open(port);
      for (let i = next++; i < DSNS; i = next++) {
        const sentAt = performance.now();
        const answer = await connection.deliver([prepared[i].returnPath], prepared[i].message);
        latencies.push(performance.now() - sentAt);
        if (answer.data === 250) accepted += 1;
      }
      connection.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // The process's CPU (listener, parsing, the client side of its transactions and this bench's SMTP client) per
  // DSN: what the rate would be on a core of its own when other work shares the machine.
  const cpuMsPerDsn = (cpu.user + cpu.system) / 1000 / accepted;
  return [
    {
      metric: 'DSNs ingested over SMTP',
      value: Math.round(accepted / seconds),
      unit: 'DSN/s',
      note: `${accepted}/${DSNS} answered 250 in ${seconds.toFixed(1)} s over ${CONNECTIONS} connections; bar 500`,
    },
    {
      metric: 'process CPU per DSN',
      value: Number(cpuMsPerDsn.toFixed(2)),
      unit: 'ms',
      note: `${Math.round(1000 / cpuMsPerDsn)} DSN/s per core; load average ${loadavg()[0].toFixed(1)} at the end`,
    },
    {
      metric: 'DSN answer time, p50',
      value: Number(percentile(latencies, 50).toFixed(1)),
      unit: 'ms',
      note: 'MAIL FROM to the 250 after DATA, outcome and event committed',
    },
    { metric: 'DSN answer time, p99', value: Number(percentile(latencies, 99).toFixed(1)), unit: 'ms' },
  ];
}

/**
 * (2) Real contacts, created through the API and projected into campaigns, then hard-bounced over SMTP: the time
 * from each 250 until what the send gate reads refuses the address (the campaigns projection no longer `active`,
 * or the region's opt-out set holding it).
 */
async function gate(services: TestServices, t: TestTenant): Promise<BenchRow[]> {
  const port = services.publicApp!.get(InboundSmtpLifecycle).port!;
  const ids: string[] = [];
  const stamp = Date.now();
  for (let i = 0; i < GATE_CONTACTS; i++) {
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email: `gate-${i}-${stamp}@bench.example`, lawfulBasis: 'legitimate_interests' },
    });
    if (created.status !== 201) throw new Error(`creating a contact: ${created.status}`);
    ids.push(created.body.id);
  }
  await waitFor(
    async () =>
      (
        await adminQuery<{ n: number }>(
          'NA',
          `SELECT count(*)::int AS n FROM campaign_contacts WHERE contact_id = ANY($1) AND status = 'active'`,
          [ids],
        )
      )[0].n === ids.length,
    { what: 'the campaigns projection of the gate contacts', timeoutMs: 60000 },
  );
  const redis = services.platform.redis.forRegion('NA');
  const campaignId = randomUUID();
  const answeredAt = new Map<string, number>();
  const refusedAt = new Map<string, number>();
  let sending = true;
  const lastAnswer = () => Math.max(0, ...answeredAt.values());
  const watcher = (async () => {
    while (refusedAt.size < ids.length && (sending || performance.now() - lastAnswer() < 10000)) {
      const unseen = ids.filter((id) => answeredAt.has(id) && !refusedAt.has(id));
      if (unseen.length) {
        const [rows, optedOut] = await Promise.all([
          adminQuery<{ contact_id: string }>(
            'NA',
            `SELECT contact_id FROM campaign_contacts WHERE contact_id = ANY($1) AND status <> 'active'`,
            [unseen],
          ),
          redis.smismember(optOutSetKey('NA', t.tenant.id), ...unseen),
        ]);
        const now = performance.now();
        for (const { contact_id } of rows) refusedAt.set(contact_id, now);
        unseen.forEach((id, i) => optedOut[i] === 1 && !refusedAt.has(id) && refusedAt.set(id, now));
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const connection = await ReportConnection.open(port);
  for (const id of ids) {
    const { returnPath, message } = dsnFor(services, t, campaignId, id);
    const answer = await connection.deliver([returnPath], message);
    if (answer.data !== 250) throw new Error(`a gate DSN was answered ${answer.data}`);
    answeredAt.set(id, performance.now());
    await new Promise((resolve) => setTimeout(resolve, GATE_PACE_MS));
  }
  connection.close();
  sending = false;
  await watcher;
  const refused = [...refusedAt].map(([id, at]) => at - answeredAt.get(id)!);
  return [
    {
      metric: 'send gate refuses the address, p50',
      value: Math.round(percentile(refused, 50)),
      unit: 'ms',
      note: 'from the 250 until the campaigns projection or the opt-out set refuses it',
    },
    {
      metric: 'send gate refuses the address, p99',
      value: Math.round(percentile(refused, 99)),
      unit: 'ms',
      note: `${refused.length}/${GATE_CONTACTS} refused within 10 s of the last 250; bar < 1000`,
    },
  ];
}

/**
 * Issue 21 (R-S8): the inbound listener's DSN ingestion over SMTP, the unsubscribe service alone as in distributed
 * mode (the consumers of `delivery.recorded` elsewhere); then, every service in one process, how soon a hard bounce
 * stops the send gate.
 */
export async function runBounceFeedbackBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  let t: TestTenant;
  const listener = await startTestServices([supportService, unsubscribeService], ENV);
  try {
    t = await createTestTenant(listener, { region: 'NA' });
    rows.push(...(await ingest(listener, t)));
  } finally {
    await listener.stop();
  }
  const all = await startTestServices([supportService, contactsService, campaignsService, unsubscribeService], ENV);
  try {
    rows.push(...(await gate(all, t)));
  } finally {
    await all.stop();
    await closeAdminPools();
  }
  return rows;
}
