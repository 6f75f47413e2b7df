import { DomainError, type ErrorDetail } from '@missive/http';

/** 401: no credentials, malformed ones, or unknown/revoked ones; the detail names the header. */
export class UnauthorizedError extends DomainError {
  constructor(reason: string) {
    const details: ErrorDetail[] = [{ field: 'authorization', reason }];
    super('unauthorized', 'A valid bearer token is required', 401, details);
  }
}

/** 403 with a specific code: authenticated, but this caller may not do this. */
export class ForbiddenError extends DomainError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(code, message, 403, details);
  }
}

/** R-P1: from `terminatedAt` on, a tenant's keys work only for export. */
export class TenantTerminatedError extends ForbiddenError {
  constructor() {
    super('tenant_terminated', 'This tenant is terminated; its API keys work only for GET /v1/export');
  }
}

/** R-X2: the tenant's request rate is over its limit; `Retry-After` says when to come back. */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', `Too many requests for this tenant; retry after ${retryAfterSeconds} s`, 429, [
      { reason: `per-tenant rate limit reached; retry after ${retryAfterSeconds} s` },
    ]);
  }
}
