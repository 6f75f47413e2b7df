import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { InvalidInputError, NotFoundError } from '@missive/http';
import { bounceAddress, LinkTokenSigner } from '@missive/tokens';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { composeMessage, messageVariables, type MessageUrls } from '../sending/message-composition';
import { MessageRenderer } from '../sending/message-renderer';
import { buildMimeMessage, mimeSkeleton } from '../sending/mime-message';
import { SendRateLimiter } from '../sending/send-rate-limiter';
import { SmtpSender } from '../sending/smtp-sender';
import { SendingDomainKeys } from '../sending-domains/sending-domain-keys';
import {
  compileTemplates,
  isTemplateProblems,
  renderTemplates,
  type CampaignTemplates,
} from '../templates/liquid-templates';
import { parsePreviewRequest, parseTestRequest, TEST_HEADER, TEST_SUBJECT_PREFIX } from './campaign-preview.rules';
import { CampaignRepository, type CampaignRow } from './campaign.repository';

export interface TestSendResult {
  email: string;
  accepted: boolean;
  reason?: string;
}

/**
 * A campaign as one contact would get it, and test sends to a few addresses (API.md). Neither touches the ledger,
 * the report or the contact: a preview renders with plain links and no pixel (looking at it records nothing), and
 * a test message carries no signed token at all (its links are plain, its unsubscribe link and bounce address lead
 * nowhere), `[Test] ` before its subject and an `X-Missive-Test: 1` header.
 */
@Injectable()
export class CampaignPreviewService {
  private readonly renderer: MessageRenderer;
  private readonly publicBaseUrl: string;
  private readonly messageDomain: string;
  private readonly bounceDomain: string;

  constructor(
    config: MissiveConfig,
    private readonly databases: Databases,
    private readonly campaigns: CampaignRepository,
    private readonly smtp: SmtpSender,
    private readonly domainKeys: SendingDomainKeys,
    private readonly rate: SendRateLimiter,
    signer: LinkTokenSigner,
  ) {
    this.publicBaseUrl = config.http.publicBaseUrl;
    this.messageDomain = new URL(config.http.publicBaseUrl).hostname;
    this.bounceDomain = config.smtp.bounceDomain ?? this.messageDomain;
    this.renderer = new MessageRenderer(signer, config.http.publicBaseUrl, config.smtp.bounceDomain);
  }

  private async load(tenant: TenantContext, id: string, contactId: string | null) {
    return tenantDb(this.databases, tenant, async (m) => {
      const campaign = await this.campaigns.find(m, tenant.id, id);
      if (!campaign) throw new NotFoundError('Campaign');
      const recipient = contactId ? await this.campaigns.findRecipient(m, tenant.id, contactId) : null;
      if (contactId && !recipient) throw new NotFoundError('Contact');
      return { campaign, recipient };
    });
  }

  private templates(campaign: CampaignRow): CampaignTemplates {
    const templates = compileTemplates({ subject: campaign.subject, html: campaign.html, text: campaign.text_body });
    if (isTemplateProblems(templates)) throw new Error('stored templates no longer compile');
    return templates;
  }

  /** POST /v1/campaigns/{id}/preview: the subject, HTML and text that contact would get; nothing sent or written. */
  async preview(tenant: TenantContext, id: string, body: unknown) {
    const request = parsePreviewRequest(body);
    if (!request.ok) throw new InvalidInputError('Invalid preview', request.details);
    const { campaign, recipient } = await this.load(tenant, id, request.value.contactId);
    const untracked = { ...campaign, track_opens: false, track_clicks: false };
    const message = await this.renderer.render(tenant.region, untracked, this.templates(campaign), recipient!);
    return { subject: message.subject, html: message.html, text: message.text };
  }

  /** POST /v1/campaigns/{id}/test: the message to each address, marked as a test, one relay turn at a time. */
  async test(tenant: TenantContext, id: string, body: unknown): Promise<{ results: TestSendResult[] }> {
    const request = parseTestRequest(body);
    if (!request.ok) throw new InvalidInputError('Invalid test send', request.details);
    const { campaign, recipient } = await this.load(tenant, id, request.value.contactId);
    const templates = this.templates(campaign);
    const skeleton = mimeSkeleton({ email: campaign.from_email, name: campaign.from_name });
    // Signed as the campaign's messages are (R-S9), so a test shows how receivers will judge them.
    const dkim = await this.domainKeys.forSender(tenant.region, tenant.id, campaign.from_email);
    // Test messages count against the tenant's send rate (R-S5): the route cannot be used to outrun it.
    await this.rate.reserve(tenant.region, tenant.id, request.value.emails.length);
    const results: TestSendResult[] = [];
    for (const email of request.value.emails) {
      // An unsigned token: the inbound listener and the link host verify tokens, so nothing comes back to a contact.
      const token = `test-${randomBytes(16).toString('hex')}`;
      const urls: MessageUrls = {
        unsubscribeUrl: `${this.publicBaseUrl}/u/${token}`,
        unsubscribeMailbox: `unsubscribe+${token}@${this.messageDomain}`,
        pixelUrl: null,
        clickUrl: null,
        bounceToken: token,
        returnPath: bounceAddress(token, this.bounceDomain),
      };
      const fields = recipient ? { ...recipient.variables, email } : { email, attributes: {} };
      const variables = messageVariables(fields, campaign.links, urls);
      const message = composeMessage(await renderTemplates(templates, variables), urls, this.messageDomain);
      message.subject = `${TEST_SUBJECT_PREFIX}${message.subject}`;
      message.headers = { ...message.headers, [TEST_HEADER]: '1' };
      const raw = buildMimeMessage(skeleton, email, message, new Date());
      await this.smtp.turn(tenant.region);
      try {
        const outcome = await this.smtp.send(
          tenant.region,
          { from: message.returnPath, to: email },
          raw,
          message.messageId,
          dkim,
        );
        results.push(
          outcome.kind === 'accepted' ? { email, accepted: true } : { email, accepted: false, reason: outcome.reason },
        );
      } finally {
        this.smtp.endTurn(tenant.region);
      }
    }
    return { results };
  }
}
