import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { CAMPAIGN_LINKS_REGISTERED, type CampaignLinksRegisteredV1 } from '@missive/contracts';
import { Databases, decodeKeysetCursor, keysetPage, parsePageLimit } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError, type ErrorDetail } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { compileAudienceFilter } from '../audience/audience-filter.rules';
import { ProjectionFreshness } from '../audience/projection-freshness';
import { SendQueue } from '../sending/send-queue';
import { SendingDomainRepository } from '../sending-domains/sending-domain.repository';
import { domainOfEmail, fromEmailAllowed } from '../sending-domains/sending-domain.rules';
import { planLinks } from '../sending/link-plan';
import { compileTemplates, dryRender, isTemplateProblems } from '../templates/liquid-templates';
import { unknownVariables } from '../templates/template-variables.rules';
import {
  CAMPAIGN_STATUSES,
  isCampaignStatus,
  transition,
  type CampaignAction,
  type CampaignStatus,
} from './campaign.rules';
import { CampaignRepository, type CampaignRow } from './campaign.repository';
import type { CreateCampaignDto } from './dto/create-campaign.dto';

/** How long a campaign naming a list the projection does not know waits for the projection to catch up. */
const UNKNOWN_LIST_WAIT_MS = 5000;

/** Orchestration of campaigns: validate, decide with the rules, write with the outbox, hand sending to the queue. */
@Injectable()
export class CampaignService {
  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly campaigns: CampaignRepository,
    private readonly sendingDomains: SendingDomainRepository,
    private readonly queue: SendQueue,
    private readonly freshness: ProjectionFreshness,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(tenant: TenantContext, dto: CreateCampaignDto): Promise<CampaignRow> {
    const plan = planLinks(dto.html);
    const compiled = compileTemplates({ subject: dto.subject, html: plan.html, text: dto.text });
    // R-X6: a template that parses but outruns the per-message render budget is refused here, not at send time;
    // so is a variable no contact has, which would render empty for every recipient (API.md).
    const problems = isTemplateProblems(compiled)
      ? compiled
      : [...unknownVariables(compiled), ...(await dryRender(compiled))];
    const details: ErrorDetail[] = problems.map((p) => ({ field: p.field, reason: p.reason }));
    const lists = dto.audience.lists ?? [];
    const tags = dto.audience.tags ?? [];
    if (lists.length === 0 && tags.length === 0)
      details.push({ field: 'audience', reason: 'name at least one list or tag' });
    const filter = dto.audience.filter;
    if (filter !== undefined) {
      const compiled = compileAudienceFilter(filter, 1, 'audience.filter');
      if (!compiled.ok) details.push(...compiled.problems);
    }
    for (const list of await this.unknownLists(tenant, lists)) {
      details.push({ field: 'audience.lists', reason: `unknown list "${list}"` });
    }
    if (!(await this.fromEmailAllowed(tenant, dto.fromEmail)))
      details.push({ field: 'fromEmail', reason: 'not on a verified sending domain of this tenant (R-S9)' });
    if (details.length)
      throw new InvalidInputError(`Invalid campaign: ${[...new Set(details.map((d) => d.field))].join(', ')}`, details);
    return tenantDb(this.databases, tenant, async (m) => {
      const row = await this.campaigns.insert(m, {
        id: randomUUID(),
        tenant_id: tenant.id,
        name: dto.name,
        subject: dto.subject,
        from_email: dto.fromEmail,
        from_name: dto.fromName ?? null,
        html: plan.html,
        text_body: dto.text ?? null,
        links: plan.links,
        audience: filter === undefined ? { lists, tags } : { lists, tags, filter },
        track_opens: dto.tracking?.opens ?? true,
        track_clicks: dto.tracking?.clicks ?? true,
        send_at: dto.sendAt ? new Date(dto.sendAt) : null,
        status: 'draft',
      });
      // The link host learns where each link index goes before any message can carry it (R-K3).
      const data: CampaignLinksRegisteredV1 = { campaignId: row.id, links: plan.links };
      await appendToOutbox(m, [
        { type: CAMPAIGN_LINKS_REGISTERED, region: tenant.region, tenantId: tenant.id, key: row.id, data },
      ]);
      return row;
    });
  }

  /**
   * The lists of `wanted` that no contact of the tenant is on. The answer comes from the campaigns service's contact
   * projection, which may not have heard yet of a contact written a moment ago: a list is called unknown only once
   * the projection holds every contact written before this request. If it cannot catch up within
   * UNKNOWN_LIST_WAIT_MS, no list is refused; the audience is resolved at send time, after the projection caught
   * up (SendWorker), so a campaign never fails because a projection is behind.
   */
  private async unknownLists(tenant: TenantContext, wanted: string[]): Promise<string[]> {
    const read = () => tenantDb(this.databases, tenant, (m) => this.campaigns.unknownLists(m, tenant.id, wanted));
    if (wanted.length === 0 || (await read()).length === 0) return [];
    const caughtUp = await this.freshness.caughtUp(tenant.region, UNKNOWN_LIST_WAIT_MS).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not tell how far the contact projection is behind');
      return false;
    });
    return caughtUp ? read() : [];
  }

  /** R-S9: with NODE_ENV=production, a campaign's From must be on one of the tenant's verified sending domains. */
  private async fromEmailAllowed(tenant: TenantContext, fromEmail: string): Promise<boolean> {
    if (!this.config.production) return true;
    const domain = domainOfEmail(fromEmail);
    const verified = domain
      ? await tenantDb(this.databases, tenant, (m) => this.sendingDomains.findVerified(m, tenant.id, domain))
      : null;
    return fromEmailAllowed(true, fromEmail, verified ? [verified.domain] : []);
  }

  async get(tenant: TenantContext, id: string): Promise<CampaignRow> {
    const row = await tenantDb(this.databases, tenant, (m) => this.campaigns.find(m, tenant.id, id));
    if (!row) throw new NotFoundError('Campaign');
    return row;
  }

  /** GET /v1/campaigns: the tenant's campaigns, newest first, by status, a keyset page at a time (API.md). */
  async list(
    tenant: TenantContext,
    query: { status?: unknown; cursor?: unknown; limit?: unknown },
  ): Promise<{ rows: CampaignRow[]; nextCursor: string | null }> {
    const details: ErrorDetail[] = [];
    for (const [field, value] of Object.entries(query))
      if (value !== undefined && typeof value !== 'string') details.push({ field, reason: 'give it once' });
    if (details.length) throw new InvalidInputError('Invalid listing', details);
    const status = (query.status as string | undefined) || null;
    if (status !== null && !isCampaignStatus(status))
      details.push({ field: 'status', reason: `must be one of ${CAMPAIGN_STATUSES.join(', ')}` });
    const limit = parsePageLimit(query.limit as string | undefined);
    if (limit === null) details.push({ field: 'limit', reason: 'must be a whole number from 1 to 200' });
    const cursor = query.cursor as string | undefined;
    const after = cursor ? decodeKeysetCursor(cursor) : null;
    if (cursor && !after) details.push({ field: 'cursor', reason: 'is not a cursor of this listing' });
    if (details.length) throw new InvalidInputError('Invalid listing', details);
    const rows = await tenantDb(this.databases, tenant, (m) =>
      this.campaigns.list(m, tenant.id, { status: status as CampaignStatus | null, after, limit: limit! + 1 }),
    );
    return keysetPage(rows, limit!);
  }

  /** send, pause, resume, cancel (R-S1): takes effect for workers at their next message. */
  async act(tenant: TenantContext, id: string, action: CampaignAction): Promise<CampaignRow> {
    const row = await tenantDb(this.databases, tenant, async (m) => {
      const current = await this.campaigns.find(m, tenant.id, id, { lock: true });
      if (!current) throw new NotFoundError('Campaign');
      const next = transition(current.status, action, current.send_at, new Date());
      if (!next.ok) throw new ConflictError('invalid_state', next.reason);
      return this.campaigns.setStatus(m, tenant.id, id, next.status);
    });
    if (row.status === 'sending') await this.queue.start(tenant, row.id, 0);
    if (row.status === 'scheduled' && row.send_at)
      await this.queue.start(tenant, row.id, new Date(row.send_at).getTime() - Date.now());
    return row;
  }
}
