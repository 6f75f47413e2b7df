import { randomBytes } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import {
  CONTACT_CHANGED,
  carriesContactState,
  contactStatesOf,
  type ContactChangedStateEvent,
  type ContactPersonalFieldsV1,
  type EventEnvelope,
  type Region,
} from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { TenantKeys } from '@missive/tenant-keys';
import { TenantStates } from '@missive/tenancy';
import { LinkTokenSigner } from '@missive/tokens';
import { buildMimeMessage, mimeSkeleton } from '../sending/mime-message';
import { SmtpSender } from '../sending/smtp-sender';
import { OptInMessageRepository } from './opt-in-message.repository';
import { optInMessage } from './opt-in-message.rules';

/** The mailbox confirmation messages come from, at BOUNCE_DOMAIN (no campaign, so no VERP token). */
const OPT_IN_MAILBOX = 'opt-in';

interface PendingContact {
  tenantId: string;
  region: Region;
  contactId: string;
  email: string;
  locale: string | null;
}

/**
 * R-C8: sends the one confirmation message of each double opt-in contact, through the campaigns service's SMTP pool.
 * It reads `contact.changed` in a consumer group of its own (not the projection's, which a slow relay must not hold
 * up) and acts on `pending` contacts only. `campaign_opt_in_messages` remembers every contact a message went to, so a
 * redelivered or repeated event, or a later upsert of the same pending contact, sends nothing more. The row commits
 * with the relay's acceptance; a relay that could not take the message (4xx, unreachable) rolls it back and the batch
 * is retried. A message the relay refused for good is not retried: the contact stays pending and is erased with the
 * other unconfirmed ones (R-C8's 30 days).
 */
@Controller()
export class OptInMailConsumer {
  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly messages: OptInMessageRepository,
    private readonly keys: TenantKeys,
    private readonly states: TenantStates,
    private readonly smtp: SmtpSender,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @ConsumeEvents('campaigns-opt-in', CONTACT_CHANGED, { inbox: false })
  async changed(batch: EventBatch<ContactChangedStateEvent>): Promise<void> {
    for (const event of batch.events) {
      for (const contact of await this.pendingIn(batch.region, event)) await this.sendOnce(contact);
    }
  }

  /** The event's pending contacts with their address; none for other events, erased contacts or purged tenants. */
  private async pendingIn(region: Region, event: EventEnvelope<ContactChangedStateEvent>): Promise<PendingContact[]> {
    if (!carriesContactState(event) || !event.tenantId) return [];
    const pending = contactStatesOf(event).filter(({ state }) => state.status === 'pending');
    if (pending.length === 0) return [];
    const opened = await this.keys.open<ContactPersonalFieldsV1 | (ContactPersonalFieldsV1 | null)[]>(
      region,
      event.tenantId,
      event.data.personal,
    );
    if (opened === null) return [];
    return pending.flatMap(({ state, personalIndex }) => {
      const personal = personalIndex === null ? opened : (opened as (ContactPersonalFieldsV1 | null)[])[personalIndex];
      if (!personal || Array.isArray(personal)) return [];
      return [
        {
          tenantId: event.tenantId!,
          region,
          contactId: state.contactId,
          email: personal.email,
          locale: personal.locale,
        },
      ];
    });
  }

  private async sendOnce(contact: PendingContact): Promise<void> {
    const tenant = await this.states.get(contact.tenantId);
    // A terminated or purged tenant sends nothing any more (R-P1), a confirmation request included.
    if (!tenant || tenant.status !== 'active') return;
    const domain = this.config.smtp.bounceDomain;
    const messageId = `<opt-in.${randomBytes(12).toString('hex')}@${domain}>`;
    await this.databases.withTenant(contact.region, contact.tenantId, async (m) => {
      // Sent before: one message per contact, ever.
      if (!(await this.messages.rememberFirst(m, contact.tenantId, contact.contactId, messageId))) return;
      const token = this.signer.mint({
        kind: 'confirm',
        tenantId: contact.tenantId,
        region: contact.region,
        campaignId: null,
        contactId: contact.contactId,
      });
      const content = optInMessage({
        tenantName: tenant.name,
        confirmUrl: `${this.config.http.publicBaseUrl}/c/${token}`,
        locale: contact.locale,
      });
      const from = `${OPT_IN_MAILBOX}@${domain}`;
      const raw = buildMimeMessage(
        mimeSkeleton({ email: from, name: tenant.name }),
        contact.email,
        { ...content, messageId, returnPath: from, headers: {} },
        new Date(),
      );
      await this.smtp.turn(contact.region);
      let outcome;
      try {
        outcome = await this.smtp.send(contact.region, { from, to: contact.email }, raw, messageId);
      } finally {
        this.smtp.endTurn(contact.region);
      }
      if (outcome.kind === 'transient' || outcome.kind === 'relay-failure') {
        throw new Error(`opt-in confirmation not accepted, retried: ${outcome.reason}`);
      }
      if (outcome.kind !== 'accepted')
        this.logger.warn({ contactId: contact.contactId, outcome: outcome.kind }, 'opt-in confirmation not delivered');
    });
  }
}
