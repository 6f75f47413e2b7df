import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { MissiveConfig } from '@missive/config';
import type { MinimumAges } from '@missive/contact-domain';
import type { Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { Metrics } from '@missive/observability';
import { LinkTokenSigner } from '@missive/tokens';
import { CampaignRepository, type CampaignRow } from '../campaigns/campaign.repository';
import { SendingDomainKeys, type DkimKey } from '../sending-domains/sending-domain-keys';
import { isSendable } from '../campaigns/campaign.rules';
import {
  compileTemplates,
  isTemplateProblems,
  RenderBudgetExceeded,
  type CampaignTemplates,
} from '../templates/liquid-templates';
import { ClaimHeartbeat } from './claim-heartbeat';
import { DeliveryLedgerRepository, type ClaimedRecipient, type DeliveryOutcome } from './delivery-ledger.repository';
import { GateStateRepository, gateContact } from './gate-state.repository';
import { MessageRenderer } from './message-renderer';
import { buildMimeMessage, mimeSkeleton, type MimeSkeleton } from './mime-message';
import { OutcomeRecorder } from './outcome-recorder';
import { sendGate } from './send-gate.rules';
import { SendRateLimiter } from './send-rate-limiter';
import { SendWindow } from './send-window';
import { SmtpSender, type SmtpOutcome } from './smtp-sender';
import { DomainPacing } from './domain-pacing';
import { recipientDomain } from './domain-pacing.rules';
import { afterTransient, type SmtpFailure } from './smtp-outcome.rules';

/** Most messages one claiming statement takes; fewer when the batch, the rate or the window has fewer left. */
const CLAIM_GROUP = 40;
/** A claim waits for at least this many free window slots, so that claiming statements stay few and large. */
const MIN_CLAIM = 10;
/** Campaigns whose compiled templates and MIME skeleton a process keeps (the oldest is dropped beyond this). */
const PLANS_KEPT = 100;

export interface BatchResult {
  /** Messages handed back as pending after a temporary failure (4xx, relay unreachable): the job retries them. */
  transient: number;
}

/** What every message of a campaign shares, prepared once per campaign and process. */
interface CampaignPlan {
  templates: CampaignTemplates;
  skeleton: MimeSkeleton;
  /** The key of the tenant's verified sending domain of the From address (R-S9), read again every batch. */
  dkim?: DkimKey;
}

/**
 * Sends one batch of a campaign (R-S2..R-S6) as a pipeline: slots of the process's send window, the tenant's rate
 * permits (R-S5), then one statement that claims the next group in the ledger and returns the recipients' current
 * projection rows, then per message, once it has a turn at the SMTP pool, the opt-out set and tenant status (R-S2,
 * R-U2), the gate, render, SMTP; outcomes are recorded in batches. A message keeps its window slot until its
 * outcome is durable, so a crash leaves at most SEND_WINDOW messages of a process `unknown` (R-S6). Several workers
 * never send one message twice: a claim only takes `pending` rows, and a claim without a record ends `unknown`.
 */
@Injectable()
export class BatchSender {
  private readonly renderer: MessageRenderer;
  private readonly minimumAges: MinimumAges;
  private readonly plans = new Map<string, CampaignPlan>();
  /**
   * Campaigns that paused themselves (a runaway template, a relay failure), with the reason: their claimed messages
   * go back to pending without rendering or sending.
   */
  private readonly selfPaused = new Map<string, string>();
  private readonly pacing = new DomainPacing();

  constructor(
    config: MissiveConfig,
    private readonly databases: Databases,
    private readonly ledger: DeliveryLedgerRepository,
    private readonly campaigns: CampaignRepository,
    private readonly gate: GateStateRepository,
    private readonly smtp: SmtpSender,
    private readonly recorder: OutcomeRecorder,
    private readonly heartbeat: ClaimHeartbeat,
    private readonly rate: SendRateLimiter,
    private readonly window: SendWindow,
    private readonly metrics: Metrics,
    private readonly domainKeys: SendingDomainKeys,
    signer: LinkTokenSigner,
  ) {
    this.renderer = new MessageRenderer(signer, config.http.publicBaseUrl, config.smtp.bounceDomain);
    this.minimumAges = config.minimumAges;
  }

  async send(region: Region, tenantId: string, campaignId: string, contactIds: string[]): Promise<BatchResult> {
    const campaign = await this.databases.withTenant(region, tenantId, (m) =>
      this.campaigns.find(m, tenantId, campaignId),
    );
    if (!campaign) throw new UnrecoverableError('campaign not found');
    if (!isSendable(campaign.status)) return { transient: 0 };
    // Sending again (resumed): its template and its relay get another chance.
    this.selfPaused.delete(campaign.id);
    const plan = this.plan(campaign);
    plan.dkim = await this.domainKeys.forSender(region, tenantId, campaign.from_email);

    let next = 0;
    let transient = 0;
    /** Records that could not be written: their rows end `unknown`; nothing more is claimed, the job fails. */
    const recordFailures: unknown[] = [];
    const deliveries: Promise<void>[] = [];
    try {
      while (next < contactIds.length && recordFailures.length === 0) {
        const wanted = this.rate.groupSize(Math.min(CLAIM_GROUP, contactIds.length - next));
        const slots = await this.window.acquire(wanted, Math.min(wanted, MIN_CLAIM));
        if (recordFailures.length) {
          this.window.release(slots);
          break;
        }
        let claimed: ClaimedRecipient[] | null;
        try {
          await this.rate.reserve(region, tenantId, slots);
          const ids = contactIds.slice(next, next + slots);
          next += ids.length;
          claimed = await this.claim(region, tenantId, campaignId, ids);
        } catch (error) {
          this.window.release(slots);
          throw error;
        }
        // Slots of rows not claimed (decided meanwhile, or another worker's) go back at once.
        this.window.release(slots - (claimed?.length ?? 0));
        if (claimed === null) break; // paused or cancelled: the rest stays pending for a resume
        if (claimed.length === 0) continue;
        this.heartbeat.hold(
          region,
          tenantId,
          campaignId,
          claimed.map((c) => c.contactId),
        );
        for (const claim of claimed) {
          deliveries.push(
            this.deliver(region, campaign, plan, claim)
              .then((outcome) => {
                if (outcome.state === 'pending') transient += 1;
                return this.recorder.record(region, tenantId, outcome);
              })
              .catch((error: unknown) => {
                recordFailures.push(error);
              })
              .finally(() => {
                // Only now, the outcome durable (or lost to a failed record), may another message take the slot.
                this.window.release(1);
                this.heartbeat.release(region, tenantId, campaignId, claim.contactId);
              }),
          );
        }
      }
    } catch (error) {
      // Let what is in flight end and be recorded before the job fails and is retried.
      await Promise.all(deliveries);
      throw error;
    }
    await Promise.all(deliveries);
    if (recordFailures.length) throw recordFailures[0];
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

  /**
   * One claimed message, at the moment of sending (R-S2): it waits for a turn at the SMTP pool, and only then reads
   * the gate's state, so a message claimed long ago still sees an opt-out answered just before its turn. Never
   * throws: every end is an outcome to record.
   */
  private async deliver(
    region: Region,
    campaign: CampaignRow,
    plan: CampaignPlan,
    claim: ClaimedRecipient,
  ): Promise<DeliveryOutcome> {
    await this.smtp.turn(region);
    try {
      return await this.gateAndSend(region, campaign, plan, claim);
    } finally {
      this.smtp.endTurn(region);
    }
  }

  private async gateAndSend(
    region: Region,
    campaign: CampaignRow,
    plan: CampaignPlan,
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
      decision = sendGate(tenant, state, new Date(), this.minimumAges);
    } catch {
      // The gate could not read its state: nothing went out, so the message goes back to pending for a retry. The
      // reason reaches the tenant's export, so not the driver's message (R-X2).
      return { ...base, state: 'pending', reason: 'the send gate could not read its state; retried', notTried: true };
    }
    if (!decision.send) return { ...base, state: 'skipped', reason: decision.reason };
    const recipient = claim.recipient!;
    let message;
    let raw;
    const paused = this.selfPaused.get(campaign.id);
    if (paused) return { ...base, state: 'pending', reason: paused, notTried: true };
    // R-S10: a domain that asked to slow down gets nothing until its backoff passed, then one probe at a time.
    const domain = recipientDomain(recipient.email);
    const pace = this.pacing.decide(domain);
    if (pace === 'hold')
      return { ...base, state: 'pending', reason: `${domain} asked to slow down; retried later`, notTried: true };
    let answered = false;
    try {
      try {
        message = await this.renderer.render(region, campaign, plan.templates, recipient);
        raw = buildMimeMessage(plan.skeleton, recipient.email, message, new Date());
      } catch (error) {
        if (error instanceof RenderBudgetExceeded) return this.pauseSelf(region, campaign, base, error.message);
        // A render failure (time, memory or size limits) is this message's failure, not the batch's.
        return { ...base, state: 'failed', reason: (error as Error).message.slice(0, 200) };
      }
      const outcome = await this.smtp.send(
        region,
        { from: message.returnPath, to: recipient.email },
        raw,
        message.messageId,
        plan.dkim,
      );
      answered = this.paceBy(domain, outcome);
      return this.outcomeOf(region, campaign, base, claim, outcome, message.messageId);
    } finally {
      if (pace === 'probe' && !answered) this.pacing.released(domain);
    }
  }

  /**
   * What the relay's answer says of the recipient's domain (R-S10): a throttling answer holds it back, any other
   * answer about the recipient (taken, bounced, refused for itself) opens it. True when the domain answered.
   */
  private paceBy(domain: string, outcome: SmtpOutcome): boolean {
    if (outcome.kind === 'transient' && outcome.throttle) this.pacing.throttledBy(domain);
    else if (['accepted', 'hard-bounce', 'soft-bounce', 'failed'].includes(outcome.kind)) this.pacing.accepted(domain);
    else return false;
    return true;
  }

  /**
   * The ledger's end of one message after the relay answered (R-S5): bounces name their kind for
   * `delivery.recorded` (the contacts service suppresses, R-S8); a relay failure pauses the campaign and the message
   * waits, pending, for the resume; a 4xx goes back to pending until its last try, then it is a soft bounce.
   */
  private async outcomeOf(
    region: Region,
    campaign: CampaignRow,
    base: Pick<DeliveryOutcome, 'campaignId' | 'contactId' | 'reason' | 'messageId'>,
    claim: ClaimedRecipient,
    outcome: SmtpOutcome,
    messageId: string,
  ): Promise<DeliveryOutcome> {
    switch (outcome.kind) {
      case 'accepted':
        return { ...base, state: 'sent', messageId };
      case 'relay-failure':
        this.metrics.smtpRelayFailures.inc({ region });
        return this.pauseSelf(region, campaign, base, `relay failure: ${outcome.reason}`);
      case 'transient': {
        const after = afterTransient(outcome, claim.attempts);
        if (after.kind === 'transient') return { ...base, state: 'pending', reason: outcome.reason };
        return this.bounced(base, after);
      }
      case 'hard-bounce':
      case 'soft-bounce':
        return this.bounced(base, outcome);
      case 'failed':
        return { ...base, state: 'failed', reason: outcome.reason };
      case 'unknown':
        return { ...base, state: 'unknown', reason: outcome.reason };
    }
  }

  private bounced(
    base: Pick<DeliveryOutcome, 'campaignId' | 'contactId' | 'reason' | 'messageId'>,
    failure: Extract<SmtpFailure, { kind: 'hard-bounce' | 'soft-bounce' }>,
  ): DeliveryOutcome {
    const label = failure.kind === 'hard-bounce' ? 'hard bounce' : 'soft bounce';
    return {
      ...base,
      state: 'bounced',
      reason: `${label}: ${failure.reason}`.slice(0, 200),
      delivery: { outcome: failure.kind, status: failure.status },
    };
  }

  /**
   * A problem of the campaign, not of this recipient: a template over its render budget at send time (R-X6), or a
   * relay that refuses us (R-S5). The campaign pauses itself with the reason (shown on GET /v1/campaigns/{id}),
   * this message and the others claimed with it go back to pending without rendering or sending, nobody is
   * suppressed, and all go out on resume.
   */
  private async pauseSelf(
    region: Region,
    campaign: CampaignRow,
    base: Pick<DeliveryOutcome, 'campaignId' | 'contactId' | 'reason' | 'messageId'>,
    reason: string,
  ): Promise<DeliveryOutcome> {
    this.selfPaused.set(campaign.id, reason);
    await this.databases.withTenant(region, campaign.tenant_id, (m) =>
      this.campaigns.pauseWithReason(m, campaign.tenant_id, campaign.id, reason),
    );
    return { ...base, state: 'pending', reason, notTried: true };
  }

  private plan(campaign: CampaignRow): CampaignPlan {
    let plan = this.plans.get(campaign.id);
    if (!plan) {
      const templates = compileTemplates({ subject: campaign.subject, html: campaign.html, text: campaign.text_body });
      if (isTemplateProblems(templates)) throw new UnrecoverableError('stored templates no longer compile');
      let skeleton;
      try {
        skeleton = mimeSkeleton({ email: campaign.from_email, name: campaign.from_name });
      } catch {
        throw new UnrecoverableError('the sender address cannot be written in a header');
      }
      plan = { templates, skeleton };
      if (this.plans.size >= PLANS_KEPT) this.plans.delete(this.plans.keys().next().value!);
      this.plans.set(campaign.id, plan);
    }
    return plan;
  }
}
