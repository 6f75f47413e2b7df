import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { RedisClients } from '@missive/redis';
import { LinkTokenSigner } from '@missive/tokens';
import { CampaignRepository, type CampaignRow } from '../campaigns/campaign.repository';
import { isSendable } from '../campaigns/campaign.rules';
import { compileTemplates, isTemplateProblems, type CampaignTemplates } from '../templates/liquid-templates';
import { ClaimHeartbeat } from './claim-heartbeat';
import { DeliveryLedger, type ClaimedRecipient, type DeliveryOutcome } from './delivery-ledger.repository';
import { GateState, gateContact } from './gate-state.repository';
import { MessageRenderer } from './message-renderer';
import { OutcomeRecorder } from './outcome-recorder';
import { sendGate } from './send-gate.rules';
import { SendRateLimiter } from './send-rate-limiter';
import { SmtpSender } from './smtp-sender';

/**
 * Messages of one batch job in flight at once (claimed, outcome not yet recorded). With the worker's two jobs, 60 for
 * the pool's 20 connections: enough to keep each busy while the event loop renders and claims, and the bound on what
 * a crash can leave `unknown` (R-S6).
 */
export const SEND_WINDOW = 30;
/** The window is refilled, with one claiming statement, once this many of its slots are free. */
const REFILL_AT = SEND_WINDOW / 2;

export interface BatchResult {
  /** Messages handed back as pending after a temporary failure (4xx, relay unreachable): the job retries them. */
  transient: number;
}

/**
 * Sends one batch of a campaign (R-S2..R-S6) as a pipeline: the tenant's rate permits (R-S5), then one statement that
 * claims the next group in the ledger and returns the recipients' current projection rows, then for each message at
 * the moment of sending the opt-out set and tenant status, the gate, render, SMTP; outcomes are recorded in batches.
 * Several workers never send one message twice: a claim only takes `pending` rows, and a claim without a record
 * ends `unknown`.
 */
@Injectable()
export class BatchSender {
  private readonly campaigns = new CampaignRepository();
  private readonly ledger = new DeliveryLedger();
  private readonly gate: GateState;
  private readonly renderer: MessageRenderer;
  private readonly templates = new Map<string, CampaignTemplates>();

  constructor(
    config: MissiveConfig,
    private readonly databases: Databases,
    redis: RedisClients,
    private readonly smtp: SmtpSender,
    private readonly recorder: OutcomeRecorder,
    private readonly heartbeat: ClaimHeartbeat,
    private readonly rate: SendRateLimiter,
  ) {
    this.gate = new GateState(databases, redis);
    this.renderer = new MessageRenderer(new LinkTokenSigner(config.linkTokenKeys), config.http.publicBaseUrl);
  }

  async send(region: Region, tenantId: string, campaignId: string, contactIds: string[]): Promise<BatchResult> {
    const campaign = await this.databases.withTenant(region, tenantId, (m) =>
      this.campaigns.find(m, tenantId, campaignId),
    );
    if (!campaign) throw new UnrecoverableError('campaign not found');
    if (!isSendable(campaign.status)) return { transient: 0 };
    const templates = this.compiled(campaign);

    let next = 0;
    let inFlight = 0;
    let transient = 0;
    let wake: (() => void) | null = null;
    const deliveries: Promise<void>[] = [];
    try {
      while (next < contactIds.length) {
        while (inFlight > SEND_WINDOW - REFILL_AT) await new Promise<void>((resolve) => (wake = resolve));
        const group = this.rate.groupSize(Math.min(SEND_WINDOW - inFlight, contactIds.length - next));
        await this.rate.reserve(region, tenantId, group);
        const ids = contactIds.slice(next, next + group);
        next += group;
        const claimed = await this.claim(region, tenantId, campaignId, ids);
        if (claimed === null) break; // paused or cancelled: the rest stays pending for a resume
        this.heartbeat.hold(
          region,
          tenantId,
          campaignId,
          claimed.map((c) => c.contactId),
        );
        for (const claim of claimed) {
          inFlight += 1;
          deliveries.push(
            this.deliver(region, campaign, templates, claim).then((outcome) => {
              inFlight -= 1;
              if (outcome.state === 'pending') transient += 1;
              wake?.();
              return this.recorder
                .record(region, tenantId, outcome)
                .finally(() => this.heartbeat.release(region, tenantId, campaignId, claim.contactId));
            }),
          );
        }
      }
    } catch (error) {
      // Let what is in flight end and be recorded before the job fails and is retried.
      await Promise.allSettled(deliveries);
      throw error;
    }
    await Promise.all(deliveries);
    return { transient };
  }

  /** Claims a group if the campaign is still sending; null once it is not (paused, cancelled). */
  private claim(
    region: Region,
    tenantId: string,
    campaignId: string,
    contactIds: string[],
  ): Promise<ClaimedRecipient[] | null> {
    return this.databases.withTenant(region, tenantId, (m) => this.ledger.claim(m, tenantId, campaignId, contactIds));
  }

  /** One claimed message, at the moment of sending (R-S2). Never throws: every end is an outcome to record. */
  private async deliver(
    region: Region,
    campaign: CampaignRow,
    templates: CampaignTemplates,
    claim: ClaimedRecipient,
  ): Promise<DeliveryOutcome> {
    const base = { campaignId: campaign.id, contactId: claim.contactId, reason: null, messageId: null };
    let decision;
    try {
      const [tenant, optedOut] = await Promise.all([
        this.gate.tenant(campaign.tenant_id),
        this.gate.optedOut(region, campaign.tenant_id, claim.contactId),
      ]);
      const state = claim.recipient ? gateContact(claim.recipient) : null;
      if (state && optedOut) state.status = 'unsubscribed';
      decision = sendGate(tenant, state, new Date());
    } catch (error) {
      // The gate could not read its state: nothing went out, so the message goes back to pending for a retry.
      return { ...base, state: 'pending', reason: (error as Error).message.slice(0, 200) };
    }
    if (!decision.send) return { ...base, state: 'skipped', reason: decision.reason };
    let message;
    try {
      message = await this.renderer.render(region, campaign, templates, claim.recipient!);
    } catch (error) {
      // A render failure (time, memory or size limits) is this message's failure, not the batch's.
      return { ...base, state: 'failed', reason: (error as Error).message.slice(0, 200) };
    }
    const outcome = await this.smtp.send(
      { email: campaign.from_email, name: campaign.from_name },
      claim.recipient!.email,
      message,
    );
    if (outcome.kind === 'accepted') return { ...base, state: 'sent', messageId: message.messageId };
    const state = ({ bounce: 'bounced', transient: 'pending', unknown: 'unknown' } as const)[outcome.kind];
    return { ...base, state, reason: outcome.reason };
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
}
