import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hashSecret, isWellFormedApiKey, parseBearer } from './api-key.rules';
import { TenantDirectory } from './tenant-directory';
import type { TenantContext } from './tenant-context';
import { effectiveStatus } from './tenant-status.rules';
import { TenantTerminatedError, UnauthorizedError } from './tenancy.errors';

export const ALLOW_TERMINATED_KEY = 'missive:allow-terminated';

interface KeyedRequest {
  headers: Record<string, string | string[] | undefined>;
  tenant?: TenantContext;
}

/**
 * `Authorization: Bearer mk_…` → the tenant (R-X1). A malformed key is refused before any lookup; a known one
 * costs a SHA-256 and a map lookup (TenantDirectory's cache), an unknown one a directory lookup once (R-X6). A body
 * over its route's limit was already refused from its `content-length` while Fastify parsed it, before this guard. From `terminatedAt` on, only routes marked
 * `@AllowTerminated()` accept the tenant's keys (R-P1).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const bearer = parseBearer(request.headers.authorization);
    if (!bearer.ok) throw new UnauthorizedError(bearer.reason);
    if (!isWellFormedApiKey(bearer.token)) throw new UnauthorizedError('not a Missive API key (mk_…)');
    const keyHash = hashSecret(bearer.token);
    // A cached key is admitted synchronously: most requests never wait on a promise here (issue 4: key-check cost).
    const cached = this.directory.cached(keyHash);
    if (cached !== undefined) return this.admit(context, request, cached);
    return this.directory.resolve(keyHash).then((tenant) => this.admit(context, request, tenant));
  }

  private admit(context: ExecutionContext, request: KeyedRequest, tenant: TenantContext | null): boolean {
    if (!tenant) throw new UnauthorizedError('unknown or revoked API key');
    const status = effectiveStatus(tenant, new Date());
    if (status === 'purged') throw new UnauthorizedError('unknown or revoked API key');
    if (status === 'terminated') {
      const allowed = this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_TERMINATED_KEY, [
        context.getHandler(),
        context.getClass(),
      ]);
      if (!allowed) throw new TenantTerminatedError();
    }
    request.tenant = status === tenant.status ? tenant : { ...tenant, status };
    return true;
  }
}
