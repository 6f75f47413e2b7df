import nodemailer from 'nodemailer';
import {
  closeAdminPools,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
} from '@missive/testing';
import { seedContacts } from '../apps/campaigns/test/campaign-helpers';
import { campaignsService } from '../apps/campaigns/src/service';
import { supportService } from '../apps/support/src/service';
import type { BenchRow } from './bench-report';
import { SinkProcess } from './smtp-sink.client';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 50000);
const HTML =
  '<html><body><p>Hello {{ firstName }},</p><p>Our <a href="https://shop.example/sale">sale</a> starts now.</p></body></html>';

/**
 * Campaign sending end to end (issue 6): a RECIPIENTS-contact campaign through the real pipeline (projection, BullMQ
 * batches, send gate per recipient, ledger claim and record, render, nodemailer pool) into an SMTP sink in its own
 * process; in the same run, the same number of rendered messages through a raw 10-connection nodemailer pool.
 */
export async function runCampaignSendBench(): Promise<BenchRow[]> {
  const sink = await SinkProcess.start();
  const services = await startTestServices([supportService, campaignsService], {
    SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    LOG_LEVEL: 'error',
  });
  try {
    const t = await createTestTenant(services, { region: 'NA' });
    const stamp = Date.now();
    const seedStart = Date.now();
    for (let i = 0; i < RECIPIENTS; i += 5000) {
      const n = Math.min(5000, RECIPIENTS - i);
      await seedContacts(
        services,
        t.tenant,
        Array.from({ length: n }, (_, k) => ({
          email: `r${i + k}-${stamp}@bench.example`,
          firstName: `R${i + k}`,
          lists: ['bench'],
        })),
      );
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;

    const api = (method: string, path: string, body?: unknown) =>
      http(method, `${services.publicUrl}${path}`, { token: t.apiKey, body });
    const created = await api('POST', '/v1/campaigns', {
      name: 'bench',
      subject: 'Sale for {{ firstName }}',
      fromEmail: 'news@shop.example',
      html: HTML,
      audience: { lists: ['bench'] },
    });
    const before = await sink.count();
    const sendStart = process.hrtime.bigint();
    await api('POST', `/v1/campaigns/${created.body.id}/send`);
    await waitFor(async () => (await api('GET', `/v1/campaigns/${created.body.id}`)).body.status === 'sent', {
      what: 'the bench campaign',
      timeoutMs: 30 * 60 * 1000,
      intervalMs: 250,
    });
    const missiveSeconds = Number(process.hrtime.bigint() - sendStart) / 1e9;
    const delivered = (await sink.count()) - before;
    const report = (await api('GET', `/v1/campaigns/${created.body.id}/report`)).body;

    // The raw pool: the same number of messages of the same size, pre-rendered, 10 connections.
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      pool: true,
      maxConnections: 10,
      maxMessages: Infinity,
    });
    const rawStart = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < RECIPIENTS; i = next++) {
        await transport.sendMail({
          from: 'news@shop.example',
          to: `raw${i}@bench.example`,
          subject: `Sale for R${i}`,
          html: HTML.replace('{{ firstName }}', `R${i}`),
          text: `Hello R${i}`,
          headers: {
            'List-Unsubscribe': '<https://x/u/t>, <mailto:unsubscribe+t@x>',
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
    transport.close();

    const missiveRate = delivered / missiveSeconds;
    const rawRate = RECIPIENTS / rawSeconds;
    return [
      {
        metric: 'Missive end to end',
        value: Math.round(missiveRate),
        unit: 'msg/s',
        note: `${RECIPIENTS} recipients, send → status sent; bar ≥ 500`,
      },
      {
        metric: 'raw nodemailer pool',
        value: Math.round(rawRate),
        unit: 'msg/s',
        note: '10 connections, same sink, pre-rendered',
      },
      { metric: 'Missive / raw', value: Number((missiveRate / rawRate).toFixed(2)), unit: '×', note: 'goal ≥ 0.8' },
      {
        metric: 'delivered = sent',
        value: delivered === report.sent ? 1 : 0,
        unit: 'bool',
        note: `sink ${delivered}, report sent ${report.sent}, unknown ${report.unknown}`,
      },
      {
        metric: 'projection seeding',
        value: Math.round(RECIPIENTS / seedSeconds),
        unit: 'contacts/s',
        note: 'contact.changed v2 events → projection',
      },
    ];
  } finally {
    await services.stop();
    sink.stop();
    await closeAdminPools();
  }
}
