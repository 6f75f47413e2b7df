import { Injectable } from '@nestjs/common';
import { MissiveConfig } from '@missive/config';
import { Databases } from '@missive/database';
import { DomainError, InvalidInputError } from '@missive/http';
import { tenantDb, type TenantContext } from '@missive/tenancy';
import { parseAudienceRequest } from './audience-filter.rules';
import { AudienceRepository } from './audience.repository';

/** A preview count may take this long at most (less if the database's own statement timeout is shorter). */
export const PREVIEW_TIMEOUT_MS = 5000;

/** PostgreSQL's query_canceled: the statement timeout fired. */
const QUERY_CANCELED = '57014';

/** POST /v1/audiences/preview (R-C9): how many contacts an audience holds, before a campaign is created. */
@Injectable()
export class AudiencePreviewService {
  private readonly timeoutMs: number;

  constructor(
    config: MissiveConfig,
    private readonly databases: Databases,
    private readonly audiences: AudienceRepository,
  ) {
    const configured = config.timeouts.dbStatementMs;
    this.timeoutMs = configured > 0 ? Math.min(configured, PREVIEW_TIMEOUT_MS) : PREVIEW_TIMEOUT_MS;
  }

  async count(tenant: TenantContext, body: unknown): Promise<{ count: number }> {
    const parsed = parseAudienceRequest(body);
    if (!parsed.ok)
      throw new InvalidInputError(
        `Invalid audience: ${[...new Set(parsed.problems.map((p) => p.field))].join(', ')}`,
        parsed.problems,
      );
    try {
      const count = await tenantDb(this.databases, tenant, async (m) => {
        // A tenant's filter must not hold a connection for long, however its data and filter are shaped.
        await this.audiences.limitStatementTime(m, this.timeoutMs);
        return this.audiences.count(m, tenant.id, parsed.audience);
      });
      return { count };
    } catch (error) {
      if ((error as { code?: string }).code === QUERY_CANCELED)
        throw new DomainError(
          'audience_count_timeout',
          `Counting this audience took longer than ${this.timeoutMs} ms; narrow it or try again later`,
          503,
        );
      throw error;
    }
  }
}
