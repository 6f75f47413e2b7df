import nodemailer from 'nodemailer';
import {
  adminQuery,
  closeAdminPools,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
} from '@missive/testing';
import { LinkTokenSigner } from '@missive/tokens';
import { seedProjection } from '../apps/campaigns/test/campaign-helpers';
import type { CampaignRow } from '../apps/campaigns/src/campaigns/campaign.repository';
import { campaignsService } from '../apps/campaigns/src/service';
import type { RecipientRow } from '../apps/campaigns/src/sending/gate-state.repository';
import type { ComposedMessage } from '../apps/campaigns/src/sending/message-composition';
import { MessageRenderer } from '../apps/campaigns/src/sending/message-renderer';
import { noDelaySocket } from '../apps/campaigns/src/sending/smtp-sender';
import { compileTemplates, type CampaignTemplates } from '../apps/campaigns/src/templates/liquid-templates';
import { supportService } from '../apps/support/src/service';
import type { BenchRow } from './bench-report';
import { SinkProcess } from './smtp-sink.client';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 50000);
const HTML =
  '<html><body><p>Hello {{ firstName }},</p><p>Our <a href="https://shop.example/sale">sale</a> starts now.</p></body></html>';
/** Same as the pipeline's pool: 10 connections; as many messages in flight as the pipeline keeps (2 jobs × 20). */
const RAW_CONNECTIONS = 10;
const RAW_IN_FLIGHT = 40;

/**
 * Campaign sending end to end (issue 6): a RECIPIENTS-contact campaign through the real pipeline (BullMQ batches,
 * rate permits, ledger claims, send gate per recipient, render, nodemailer pool, batched records) into an SMTP sink
 * in its own process; in the same run, the very messages Missive rendered for those recipients (same renderer,
 * templates and tokens, rendered before the clock starts) through a raw 10-connection nodemailer pool into the same
 * sink. The audience is written straight into the campaigns projection (the projection consumer is not measured).
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
    await seedProjection(t.tenant, RECIPIENTS, { list: 'bench', emailPrefix: `r${Date.now()}-` });

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

    const messages = await renderLikeMissive(services.config, t.tenant.id, created.body.id);
    const rawBefore = await sink.count();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      pool: true,
      // The pipeline's socket settings (Nagle off), so the floor is the sink's, not a TCP stall's.
      getSocket: noDelaySocket,
      maxConnections: RAW_CONNECTIONS,
      maxMessages: Infinity,
    });
    const rawStart = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < messages.length; i = next++) {
        const { to, message } = messages[i];
        await transport.sendMail({
          from: 'news@shop.example',
          to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          messageId: message.messageId,
          headers: message.headers,
        });
      }
    };
    await Promise.all(Array.from({ length: RAW_IN_FLIGHT }, worker));
    const rawSeconds = Number(process.hrtime.bigint() - rawStart) / 1e9;
    transport.close();
    const rawDelivered = (await sink.count()) - rawBefore;

    const missiveRate = delivered / missiveSeconds;
    const rawRate = rawDelivered / rawSeconds;
    return [
      {
        metric: 'Missive end to end',
        value: Math.round(missiveRate),
        unit: 'msg/s',
        note: `${RECIPIENTS} recipients, send → status sent in ${missiveSeconds.toFixed(1)} s; bar ≥ 500`,
      },
      {
        metric: 'raw nodemailer pool',
        value: Math.round(rawRate),
        unit: 'msg/s',
        note: `${RAW_CONNECTIONS} connections, ${RAW_IN_FLIGHT} in flight, same sink, the same ${rawDelivered} messages pre-rendered`,
      },
      { metric: 'Missive / raw', value: Number((missiveRate / rawRate).toFixed(2)), unit: '×', note: 'goal ≥ 0.8' },
      {
        metric: 'delivered = sent',
        value: delivered === report.sent && report.sent === RECIPIENTS ? 1 : 0,
        unit: 'bool',
        note: `sink ${delivered}, report sent ${report.sent}, unknown ${report.unknown}, failed ${report.failed}`,
      },
    ];
  } finally {
    await services.stop();
    sink.stop();
    await closeAdminPools();
  }
}

/** The campaign's messages rendered by Missive's own renderer for its recipients, ready for the raw pool. */
async function renderLikeMissive(
  config: { linkTokenKeys: { kid: string; secret: string }[]; http: { publicBaseUrl: string } },
  tenantId: string,
  campaignId: string,
): Promise<{ to: string; message: ComposedMessage }[]> {
  const [campaign] = await adminQuery<CampaignRow>('NA', 'SELECT * FROM campaigns WHERE id = $1', [campaignId]);
  const recipients = await adminQuery<RecipientRow>(
    'NA',
    `SELECT c.* FROM campaign_contacts c JOIN campaign_deliveries d ON d.contact_id = c.contact_id
     WHERE d.campaign_id = $1 AND c.tenant_id = $2`,
    [campaignId, tenantId],
  );
  const templates = compileTemplates({
    subject: campaign.subject,
    html: campaign.html,
    text: campaign.text_body,
  }) as CampaignTemplates;
  const renderer = new MessageRenderer(new LinkTokenSigner(config.linkTokenKeys), config.http.publicBaseUrl);
  const messages = [];
  for (const r of recipients)
    messages.push({ to: r.email, message: await renderOnce(() => renderer.render('NA', campaign, templates, r)) });
  return messages;
}

/** Liquid's render limit is wall-clock time: a garbage-collector pause on a busy machine can trip it; render again. */
async function renderOnce<T>(render: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await render();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}
