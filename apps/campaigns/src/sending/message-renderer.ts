import type { Region } from '@missive/contracts';
import { bounceAddress, type LinkTokenSigner } from '@missive/tokens';
import type { CampaignRow } from '../campaigns/campaign.repository';
import { renderTemplates, type CampaignTemplates } from '../templates/liquid-templates';
import type { RecipientRow } from './gate-state.repository';
import { composeMessage, messageVariables, type ComposedMessage, type MessageUrls } from './message-composition';
import { trackingAllowed } from './tracking-permission.rules';

/**
 * One recipient's message: signed unsubscribe, open, click and bounce tokens (R-K1, R-S8), tracking only where allowed
 * (R-S4), the templates rendered with the contact's variables, the headers and visible link of R-S3, and the VERP
 * Return-Path.
 */
export class MessageRenderer {
  private readonly messageDomain: string;
  private readonly bounceDomain: string;

  constructor(
    private readonly signer: LinkTokenSigner,
    private readonly publicBaseUrl: string,
    /** BOUNCE_DOMAIN; API.md's default is the host of PUBLIC_BASE_URL. */
    bounceDomain?: string,
  ) {
    this.messageDomain = new URL(publicBaseUrl).hostname;
    this.bounceDomain = bounceDomain ?? this.messageDomain;
  }

  async render(
    region: Region,
    campaign: CampaignRow,
    templates: CampaignTemplates,
    recipient: RecipientRow,
  ): Promise<ComposedMessage> {
    const base = this.publicBaseUrl;
    const claims = { tenantId: campaign.tenant_id, region, campaignId: campaign.id, contactId: recipient.contact_id };
    const allowed = trackingAllowed(
      { opens: campaign.track_opens, clicks: campaign.track_clicks },
      { region: recipient.region, trackingConsent: recipient.tracking_consent },
    );
    const unsubscribe = this.signer.mint({ ...claims, kind: 'unsubscribe' });
    const bounce = this.signer.mint({ ...claims, kind: 'bounce' });
    const urls: MessageUrls = {
      unsubscribeUrl: `${base}/u/${unsubscribe}`,
      unsubscribeMailbox: `unsubscribe+${unsubscribe}@${this.messageDomain}`,
      pixelUrl: allowed.opens ? `${base}/t/o/${this.signer.mint({ ...claims, kind: 'open' })}` : null,
      clickUrl: allowed.clicks
        ? (index) => `${base}/t/c/${this.signer.mint({ ...claims, kind: 'click', linkIndex: index })}`
        : null,
      bounceToken: bounce,
      // The compact VERP token: `bounce+` and a link token would pass RFC 5321's 64-octet local part (R-S8).
      returnPath: bounceAddress(
        this.signer.mintVerp({ kind: 'bounce', tenantId: campaign.tenant_id, contactId: recipient.contact_id }),
        this.bounceDomain,
      ),
    };
    const variables = messageVariables({ email: recipient.email, ...recipient.variables }, campaign.links, urls);
    return composeMessage(await renderTemplates(templates, variables), urls, this.messageDomain);
  }
}
