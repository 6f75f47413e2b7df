import { Injectable } from '@nestjs/common';
import { DELIVERY_RECORDED, type DeliveryRecordedV1, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import { TenantStates } from '@missive/tenancy';
import { expectKind, LinkTokenSigner, tokenFromMessageId, VERP_TOKEN_LENGTH } from '@missive/tokens';
import { readFeedback } from './bounce-mail.parser';
import type { FeedbackReport } from './bounce-mail.rules';
import { GroupCommit } from './group-commit';

/**
 * Whose message a bounce token names. A Return-Path's compact VERP token names no campaign (null); the Message-ID's
 * link token, and the Return-Paths minted before the compact one, do.
 */
export interface BounceClaims {
  kind: 'bounce';
  tenantId: string;
  contactId: string;
  campaignId: string | null;
}

/** One outcome to store: the `inbound_feedback` row and its event's data. */
type Feedback = DeliveryRecordedV1 & { tenantId: string; region: Region; source: FeedbackSource };

/** Who can report feedback here: the listener (DSN, ARF) and the provider webhooks (apps/unsubscribe/src/hooks). */
export type FeedbackSource = Exclude<DeliveryRecordedV1['source'], 'smtp'>;

/** Outcomes one transaction stores at most. */
const MAX_BATCH = 500;

/**
 * The mailbox `bounce+{token}@{BOUNCE_DOMAIN}` of every message (R-S8): DSNs and ARF reports sent there become
 * `delivery.recorded` events, each written with its `inbound_feedback` row in one transaction of the tenant's
 * regional database (R-T2, R-X5) before the listener's 250. The report's body and the addresses in it are read in
 * memory and dropped; only ids, the outcome and its status code are kept.
 */
@Injectable()
export class BounceMailService {
  /** Per region and tenant (one RLS transaction each): concurrent DSNs share a commit. */
  private readonly commits = new GroupCommit<Feedback>((_key, items) => this.store(items), MAX_BATCH);

  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly databases: Databases,
    private readonly states: TenantStates,
  ) {}

  /**
   * A genuine bounce token's claims, or null: forged, another kind (an unsubscribe token is none), retired key. Both
   * the compact VERP token of today's Return-Paths and the link token (Message-IDs, older Return-Paths) verify.
   */
  verify(token: string): BounceClaims | null {
    if (token.length === VERP_TOKEN_LENGTH) {
      const compact = this.signer.verifyVerp(token, 'bounce');
      return compact && { kind: 'bounce', tenantId: compact.tenantId, contactId: compact.contactId, campaignId: null };
    }
    const claims = expectKind(this.signer.verify(token), 'bounce');
    return (
      claims && {
        kind: 'bounce',
        tenantId: claims.tenantId,
        contactId: claims.contactId,
        campaignId: claims.campaignId,
      }
    );
  }

  /**
   * Reads the message and records what it says for the messages it concerns; resolves once that is durable, and
   * rejects when it could not be stored (the listener answers 4xx and the reporting MTA sends it again). Mail that
   * is no DSN or ARF report (an auto-reply) is taken and changes nothing.
   */
  async receive(recipients: BounceClaims[], message: Buffer): Promise<void> {
    const now = new Date();
    const report = await readFeedback(message, now).catch(() => null);
    if (!report || report.findings.length === 0) return;
    const writes: Promise<void>[] = [];
    for (const { tenantId, contactId, campaignId } of this.concerned(report, recipients)) {
      // R-P6: a purged tenant's old messages still get their answer, and nothing is stored again. R-T2: the outcome
      // goes to the tenant's home region as the directory has it.
      const tenant = await this.states.get(tenantId);
      if (tenant === null || tenant.status === 'purged') continue;
      const items = report.findings.map(
        (f): Feedback => ({
          tenantId,
          region: tenant.region,
          contactId,
          campaignId,
          outcome: f.outcome,
          source: report.source,
          status: f.status,
          at: (f.at ?? now).toISOString(),
        }),
      );
      writes.push(this.commits.submit(`${tenant.region}:${tenantId}`, items));
    }
    await Promise.all(writes);
  }

  /**
   * Records what a provider webhook heard about the message of a verified bounce token (R-S8): the same rows, events
   * and commits as a DSN's; resolves once durable. False when the tenant is unknown or purged (nothing stored).
   */
  async recordFor(
    claims: BounceClaims,
    source: FeedbackSource,
    findings: { outcome: DeliveryRecordedV1['outcome']; status: string | null; at: Date }[],
  ): Promise<boolean> {
    const tenant = await this.states.get(claims.tenantId);
    if (tenant === null || tenant.status === 'purged') return false;
    const { tenantId, contactId, campaignId } = claims;
    const items = findings.map(
      (f): Feedback => ({
        tenantId,
        region: tenant.region,
        contactId,
        campaignId,
        ...f,
        source,
        at: f.at.toISOString(),
      }),
    );
    await this.commits.submit(`${tenant.region}:${tenantId}`, items);
    return true;
  }

  /**
   * Whose messages the report is about. A complaint names the message it quotes: the Message-ID the sender wrote
   * carries a signed token, so an ARF report sent to another of our addresses still finds its message. Else, the
   * messages whose Return-Path it was sent to; a compact Return-Path token names no campaign, which the returned
   * Message-ID gives when it names the same tenant and contact. Without it (a DSN that returns no headers) the
   * contact's outcome is still recorded, with no campaign: the suppression does not depend on it.
   */
  private concerned(report: FeedbackReport, recipients: BounceClaims[]): BounceClaims[] {
    const quoted = report.originalMessageId ? tokenFromMessageId(report.originalMessageId) : null;
    const claims = quoted ? this.verify(quoted) : null;
    if (!claims) return recipients;
    if (report.source === 'arf' && recipients.some((r) => r.tenantId === claims.tenantId)) return [claims];
    return recipients.map((r) =>
      r.campaignId === null && r.tenantId === claims.tenantId && r.contactId === claims.contactId
        ? { ...r, campaignId: claims.campaignId }
        : r,
    );
  }

  /**
   * Stores one tenant's outcomes in one transaction: the rows, and an event for each row that was new. One row per
   * (contact, campaign, outcome): a DSN sent again, or a second delay warning, is recorded and published once.
   */
  private async store(items: Feedback[]): Promise<void> {
    const { tenantId, region } = items[0];
    await this.databases.withTenant(region, tenantId, async (m) => {
      const inserted: {
        contact_id: string;
        campaign_id: string | null;
        outcome: Feedback['outcome'];
        source: Feedback['source'];
        status: string | null;
        occurred_at: Date;
      }[] = await m.query(
        `INSERT INTO inbound_feedback (tenant_id, contact_id, campaign_id, outcome, source, status, occurred_at)
         SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
         ON CONFLICT ON CONSTRAINT uq_inbound_feedback DO NOTHING
         RETURNING contact_id, campaign_id, outcome, source, status, occurred_at`,
        [
          tenantId,
          items.map((i) => i.contactId),
          items.map((i) => i.campaignId),
          items.map((i) => i.outcome),
          items.map((i) => i.source),
          items.map((i) => i.status),
          items.map((i) => i.at),
        ],
      );
      await appendToOutbox(
        m,
        inserted.map((row) => {
          const data: DeliveryRecordedV1 = {
            contactId: row.contact_id,
            campaignId: row.campaign_id,
            outcome: row.outcome,
            source: row.source,
            status: row.status,
            at: new Date(row.occurred_at).toISOString(),
          };
          return { type: DELIVERY_RECORDED, region, tenantId, key: row.contact_id, data };
        }),
      );
    });
  }
}
