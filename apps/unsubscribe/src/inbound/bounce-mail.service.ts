import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { DELIVERY_RECORDED, type DeliveryRecordedV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { appendToOutbox } from '@missive/kafka';
import { TenantStates } from '@missive/tenancy';
import { expectKind, LinkTokenSigner, tokenFromMessageId, type LinkTokenClaims } from '@missive/tokens';
import { readFeedback } from './bounce-mail.parser';
import type { FeedbackFinding, FeedbackReport } from './bounce-mail.rules';

export type BounceClaims = LinkTokenClaims & { kind: 'bounce' };

/**
 * The mailbox `bounce+{token}@{BOUNCE_DOMAIN}` of every message (R-S8): DSNs and ARF reports sent there become
 * `delivery.recorded` events, each written with its `inbound_feedback` row in one transaction of the tenant's
 * regional database (R-T2, R-X5) before the listener's 250. The report's body and the addresses in it are read in
 * memory and dropped; only ids, the outcome and its status code are kept.
 */
@Injectable()
export class BounceMailService {
  private readonly signer: LinkTokenSigner;

  constructor(
    config: MissiveConfig,
    private readonly databases: Databases,
    private readonly states: TenantStates,
  ) {
    this.signer = new LinkTokenSigner(config.linkTokenKeys);
  }

  /** A genuine bounce token's claims, or null: forged, another kind (an unsubscribe token is none), retired key. */
  verify(token: string): BounceClaims | null {
    return expectKind(this.signer.verify(token), 'bounce');
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
    for (const claims of this.concerned(report, recipients)) {
      // R-P6: a purged tenant's old messages still get their answer, and nothing is stored again. R-T2: the outcome
      // goes to the tenant's home region as the directory has it.
      const tenant = await this.states.get(claims.tenantId);
      if (tenant === null || tenant.status === 'purged') continue;
      await this.record({ ...claims, region: tenant.region }, report.source, report.findings, now);
    }
  }

  /**
   * Whose messages the report is about. A complaint names the message it quotes: the Message-ID the sender wrote
   * carries the same signed token, so an ARF report sent to another of our addresses still finds its message. Else,
   * the messages whose Return-Path it was sent to.
   */
  private concerned(report: FeedbackReport, recipients: BounceClaims[]): BounceClaims[] {
    const quoted =
      report.source === 'arf' && report.originalMessageId ? tokenFromMessageId(report.originalMessageId) : null;
    const claims = quoted ? this.verify(quoted) : null;
    if (claims && recipients.some((r) => r.tenantId === claims.tenantId)) return [claims];
    return recipients;
  }

  private async record(
    claims: BounceClaims,
    source: FeedbackReport['source'],
    findings: FeedbackFinding[],
    now: Date,
  ): Promise<void> {
    const { tenantId, region, contactId, campaignId } = claims;
    await this.databases.withTenant(region, tenantId, async (m) => {
      const values = findings.map((_, i) => `($1, $2, $3, $${3 * i + 5}, $4, $${3 * i + 6}, $${3 * i + 7})`);
      // One row per (contact, campaign, outcome): a DSN sent again, or a second delay warning, is recorded once.
      const inserted: { outcome: FeedbackFinding['outcome']; status: string | null; occurred_at: Date }[] =
        await m.query(
          `INSERT INTO inbound_feedback (tenant_id, contact_id, campaign_id, outcome, source, status, occurred_at)
           VALUES ${values.join(', ')}
           ON CONFLICT ON CONSTRAINT uq_inbound_feedback DO NOTHING
           RETURNING outcome, status, occurred_at`,
          [
            tenantId,
            contactId,
            campaignId,
            source,
            ...findings.flatMap((f) => [f.outcome, f.status, (f.at ?? now).toISOString()]),
          ],
        );
      await appendToOutbox(
        m,
        inserted.map((row) => {
          const data: DeliveryRecordedV1 = {
            contactId,
            campaignId,
            outcome: row.outcome,
            source,
            status: row.status,
            at: new Date(row.occurred_at).toISOString(),
          };
          return { type: DELIVERY_RECORDED, region, tenantId, key: contactId, data };
        }),
      );
    });
  }
}
