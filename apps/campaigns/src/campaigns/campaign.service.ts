import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CAMPAIGN_LINKS_REGISTERED, type CampaignLinksRegisteredV1 } from '@missive/contracts';
import { Databases } from '@missive/database';
import { ConflictError, InvalidInputError, NotFoundError, type ErrorDetail } from '@missive/http';
import { appendToOutbox } from '@missive/kafka';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { SendQueue } from '../sending/send-queue';
import { planLinks } from '../sending/link-plan';
import { compileTemplates, dryRender, isTemplateProblems } from '../templates/liquid-templates';
import { transition, type CampaignAction } from './campaign.rules';
import { CampaignRepository, type CampaignRow } from './campaign.repository';
import type { CreateCampaignDto } from './dto/create-campaign.dto';

/** Orchestration of campaigns: validate, decide with the rules, write with the outbox, hand sending to the queue. */
@Injectable()
export class CampaignService {
  private readonly campaigns = new CampaignRepository();

  constructor(
    private readonly databases: Databases,
    private readonly queue: SendQueue,
  ) {}

  async create(tenant: TenantContext, dto: CreateCampaignDto): Promise<CampaignRow> {
    const plan = planLinks(dto.html);
    const compiled = compileTemplates({ subject: dto.subject, html: plan.html, text: dto.text });
    // R-X6: a template that parses but outruns the per-message render budget is refused here, not at send time.
    const problems = isTemplateProblems(compiled) ? compiled : await dryRender(compiled);
    const details: ErrorDetail[] = problems.map((p) => ({ field: p.field, reason: p.reason }));
    const lists = dto.audience.lists ?? [];
    const tags = dto.audience.tags ?? [];
    if (lists.length === 0 && tags.length === 0)
      details.push({ field: 'audience', reason: 'name at least one list or tag' });
    return tenantDb(this.databases, tenant, async (m) => {
      for (const list of await this.campaigns.unknownLists(m, tenant.id, lists)) {
        details.push({ field: 'audience.lists', reason: `unknown list "${list}"` });
      }
      if (details.length)
        throw new InvalidInputError(
          `Invalid campaign: ${[...new Set(details.map((d) => d.field))].join(', ')}`,
          details,
        );
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
        audience: { lists, tags },
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

  async get(tenant: TenantContext, id: string): Promise<CampaignRow> {
    const row = await tenantDb(this.databases, tenant, (m) => this.campaigns.find(m, tenant.id, id));
    if (!row) throw new NotFoundError('Campaign');
    return row;
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
