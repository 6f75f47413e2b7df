import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { RedisClients } from '@missive/redis';
import { LinkTokenSigner } from '@missive/tokens';
import { CampaignRepository, type CampaignRow } from '../campaigns/campaign.repository';
import { isSendable, transition } from '../campaigns/campaign.rules';
import {
  compileTemplates,
  isTemplateProblems,
  renderTemplates,
  type CampaignTemplates,
} from '../templates/liquid-templates';
import { DeliveryLedger, STALE_CLAIM_SECONDS } from './delivery-ledger.repository';
import { GateState, gateContact, type RecipientRow } from './gate-state.repository';
import { composeMessage, messageVariables, type MessageUrls } from './message-composition';
import { queuePrefix, SEND_QUEUE, SendQueue, type BatchJob, type SendJob, type StartJob } from './send-queue';
import { sendGate } from './send-gate.rules';
import { SmtpSender } from './smtp-sender';
import { trackingAllowed } from './tracking-permission.rules';

const BATCH_SIZE = 200;
/** Messages of one batch in flight at once; the SMTP pool has 10 connections. */
const CONCURRENCY = 10;
/** How often a batch re-reads its campaign's status: pause and cancel bite within this (R-S1: within 2 s). */
const STATUS_TTL_MS = 500;

class TransientDeliveryError extends Error {}

/**
 * The send pipeline's worker (R-S2..R-S6). A start job snapshots the audience into the ledger and queues batches; a
 * batch job, for each recipient at the moment of sending: reads the campaign status, the recipient's current state
 * and the tenant's status, runs the gate, claims the ledger row, renders, sends, records. Workers on many processes
 * never send one message twice: the claim is a conditional UPDATE, and a claim without a record is `unknown`.
 */
@Injectable()
export class SendWorker implements OnModuleInit, OnModuleDestroy {
  private readonly workers: Worker<SendJob>[] = [];
  private readonly campaigns = new CampaignRepository();
  private readonly ledger = new DeliveryLedger();
  private readonly gate: GateState;
  private readonly signer: LinkTokenSigner;
  private readonly templates = new Map<string, CampaignTemplates>();
  private readonly messageDomain: string;

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly redis: RedisClients,
    private readonly queue: SendQueue,
    private readonly smtp: SmtpSender,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.gate = new GateState(databases, redis);
    this.signer = new LinkTokenSigner(config.linkTokenKeys);
    this.messageDomain = new URL(config.http.publicBaseUrl).hostname;
  }

  onModuleInit(): void {
    for (const region of this.config.regions) {
      const worker = new Worker<SendJob>(SEND_QUEUE, (job) => this.process(region, job), {
        connection: this.redis.forRegion(region),
        prefix: queuePrefix(region, this.config.queueNamespace),
        concurrency: 4,
        lockDuration: 30000,
      });
      worker.on('failed', (job, error) =>
        this.logger.warn({ jobId: job?.id, err: error }, 'send job failed; BullMQ retries it'),
      );
      this.workers.push(worker);
    }
  }

  async onModuleDestroy(): Promise<void> {
    // Graceful (R-X4): stop taking jobs, let the running ones finish their current messages.
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private process(region: Region, job: Job<SendJob>): Promise<void> {
    return job.data.kind === 'start' ? this.start(region, job.data) : this.batch(region, job.data);
  }

  private async start(region: Region, data: StartJob): Promise<void> {
    const contactIds = await this.databases.withTenant(region, data.tenantId, async (m) => {
      const campaign = await this.campaigns.find(m, data.tenantId, data.campaignId, { lock: true });
      if (!campaign) throw new UnrecoverableError('campaign not found');
      if (campaign.status === 'scheduled') await this.campaigns.setStatus(m, data.tenantId, campaign.id, 'sending');
      else if (!isSendable(campaign.status)) return [];
      const size = await this.ledger.snapshot(m, data.tenantId, campaign.id, campaign.audience);
      await m.query('UPDATE campaigns SET audience_size = $2 WHERE id = $1 AND audience_size IS NULL', [
        campaign.id,
        size,
      ]);
      return this.ledger.pendingContacts(m, campaign.id);
    });
    await this.queue.enqueueBatches(region, data.tenantId, data.campaignId, contactIds, BATCH_SIZE);
    await this.completeIfDone(region, data.tenantId, data.campaignId);
  }

  private async batch(region: Region, data: BatchJob): Promise<void> {
    let campaign = await this.loadCampaign(region, data);
    let checkedAt = Date.now();
    let transient = 0;
    const queue = [...data.contactIds];
    const next = async (): Promise<void> => {
      for (let contactId = queue.shift(); contactId; contactId = queue.shift()) {
        if (Date.now() - checkedAt > STATUS_TTL_MS) {
          campaign = await this.loadCampaign(region, data);
          checkedAt = Date.now();
        }
        if (!campaign || !isSendable(campaign.status)) return;
        if ((await this.deliver(region, campaign, contactId)) === 'transient') transient += 1;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, next));
    if (transient > 0)
      throw new TransientDeliveryError(`${transient} messages met a temporary failure; retrying them later`);
    await this.completeIfDone(region, data.tenantId, data.campaignId);
  }

  private loadCampaign(region: Region, data: { tenantId: string; campaignId: string }): Promise<CampaignRow | null> {
    return this.databases.withTenant(region, data.tenantId, (m) =>
      this.campaigns.find(m, data.tenantId, data.campaignId),
    );
  }

  private compiled(campaign: CampaignRow): CampaignTemplates {
    let templates = this.templates.get(campaign.id);
    if (!templates) {
      const result = compileTemplates({ subject: campaign.subject, html: campaign.html, text: campaign.text_body });
      if (isTemplateProblems(result)) throw new UnrecoverableError('stored templates no longer compile');
      templates = result;
      this.templates.set(campaign.id, templates);
    }
    return templates;
  }

  /** One recipient, at the moment of sending. */
  private async deliver(
    region: Region,
    campaign: CampaignRow,
    contactId: string,
  ): Promise<'sent' | 'skipped' | 'transient' | 'done'> {
    const tenantId = campaign.tenant_id;
    const [tenant, optedOut] = await Promise.all([
      this.gate.tenant(tenantId),
      this.gate.optedOut(region, tenantId, contactId),
    ]);
    const claim = await this.databases.withTenant(region, tenantId, async (m) => {
      const recipient = await this.gate.recipient(m, tenantId, contactId);
      const state = recipient ? gateContact(recipient) : null;
      if (state && optedOut) state.status = 'unsubscribed';
      const decision = sendGate(tenant, state, new Date());
      if (!decision.send) {
        await this.ledger.skip(m, campaign.id, contactId, decision.reason);
        return null;
      }
      return (await this.ledger.claim(m, campaign.id, contactId)) ? recipient : null;
    });
    if (!claim) return 'skipped';
    const outcome = await this.sendOne(region, campaign, claim);
    await this.databases.withTenant(region, tenantId, async (m) => {
      if (outcome.kind === 'accepted')
        await this.ledger.record(m, campaign.id, contactId, { state: 'sent', messageId: outcome.messageId });
      else if (outcome.kind === 'bounce') {
        await this.ledger.record(m, campaign.id, contactId, { state: 'bounced', reason: outcome.reason });
        // R-S5: a hard bounce suppresses the address for every later message of the tenant.
        await m.query(
          `UPDATE campaign_contacts SET status = 'bounced', updated_at = now() WHERE tenant_id = $1 AND contact_id = $2`,
          [tenantId, contactId],
        );
      } else if (outcome.kind === 'transient')
        await this.ledger.record(m, campaign.id, contactId, { state: 'pending', reason: outcome.reason });
      else await this.ledger.record(m, campaign.id, contactId, { state: 'failed', reason: outcome.reason });
    });
    return outcome.kind === 'transient' ? 'transient' : 'sent';
  }

  private async sendOne(
    region: Region,
    campaign: CampaignRow,
    recipient: RecipientRow,
  ): Promise<{ kind: 'accepted'; messageId: string } | { kind: 'bounce' | 'transient' | 'failed'; reason: string }> {
    try {
      const base = this.config.http.publicBaseUrl;
      const claims = { tenantId: campaign.tenant_id, region, campaignId: campaign.id, contactId: recipient.contact_id };
      const allowed = trackingAllowed(
        { opens: campaign.track_opens, clicks: campaign.track_clicks },
        { region: recipient.region, trackingConsent: recipient.tracking_consent },
      );
      const unsubscribe = this.signer.mint({ ...claims, kind: 'unsubscribe' });
      const urls: MessageUrls = {
        unsubscribeUrl: `${base}/u/${unsubscribe}`,
        unsubscribeMailbox: `unsubscribe+${unsubscribe}@${this.messageDomain}`,
        pixelUrl: allowed.opens ? `${base}/t/o/${this.signer.mint({ ...claims, kind: 'open' })}` : null,
        clickUrl: allowed.clicks
          ? (index) => `${base}/t/c/${this.signer.mint({ ...claims, kind: 'click', linkIndex: index })}`
          : null,
      };
      const variables = messageVariables({ email: recipient.email, ...recipient.variables }, campaign.links, urls);
      const rendered = await renderTemplates(this.compiled(campaign), variables);
      const message = composeMessage(rendered, urls, this.messageDomain);
      const outcome = await this.smtp.send(
        { email: campaign.from_email, name: campaign.from_name },
        recipient.email,
        message,
      );
      return outcome.kind === 'accepted' ? { kind: 'accepted', messageId: message.messageId } : outcome;
    } catch (error) {
      // A render failure (limits) is this message's failure, not the batch's.
      return { kind: 'failed', reason: (error as Error).message.slice(0, 200) };
    }
  }

  /**
   * Marks the campaign sent once no message is pending or in flight. Claims left by a dead process become
   * `unknown` once stale; if only such claims remain, a delayed re-check finishes the campaign (R-S6).
   */
  private async completeIfDone(region: Region, tenantId: string, campaignId: string): Promise<void> {
    const open = await this.databases.withTenant(region, tenantId, async (m) => {
      await this.ledger.markStaleClaimsUnknown(m, campaignId);
      const remaining = await this.ledger.openCount(m, campaignId);
      if (remaining > 0) return remaining;
      const campaign = await this.campaigns.find(m, tenantId, campaignId, { lock: true });
      if (campaign && transition(campaign.status, 'complete', null, new Date()).ok)
        await this.campaigns.setStatus(m, tenantId, campaignId, 'sent');
      return 0;
    });
    if (open > 0 && (await this.queue.onlyInFlightLeft(region, tenantId, campaignId))) {
      await this.queue.start({ id: tenantId, region }, campaignId, (STALE_CLAIM_SECONDS + 1) * 1000);
    }
  }
}
