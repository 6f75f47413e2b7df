import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { ALLOW_TERMINATED_KEY, ApiKeyGuard } from './api-key.guard';
import type { TenantContext } from './tenant-context';
import { TenantRateLimitGuard } from './tenant-rate-limit.guard';

/** R-P1: this route stays open to a terminated tenant's keys (only `GET /v1/export` should carry it). */
export const AllowTerminated = (): MethodDecorator & ClassDecorator => SetMetadata(ALLOW_TERMINATED_KEY, true);

/**
 * Marks a public controller as tenant API: the API key is required and resolved (R-X1), terminated tenants are
 * refused (R-P1), and the tenant's rate limit applies (R-X2). Handlers read the caller with `@CurrentTenant()`.
 */
export const TenantApi = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    UseGuards(ApiKeyGuard, TenantRateLimitGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'missing, malformed, unknown or revoked API key' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: 'tenant_terminated' }),
    ApiTooManyRequestsResponse({ type: ErrorBodyDto, description: 'per-tenant rate limit; see Retry-After' }),
  );

export interface TenantRequest {
  tenant?: TenantContext;
}

/** The tenant the guard resolved from the API key; every tenant query is scoped by it (R-T1). */
export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantContext => {
  const tenant = ctx.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('@CurrentTenant() used on a route without @TenantApi()');
  return tenant;
});
