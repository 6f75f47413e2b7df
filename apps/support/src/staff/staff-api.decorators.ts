import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '@missive/http';
import { StaffAuditInterceptor } from './staff-audit.interceptor';
import { ADMIN_ONLY_KEY, StaffAuthGuard } from './staff-auth.guard';
import type { StaffCall, StaffRequest } from './staff-call';

/** A support-API controller: staff token required (R-A1), every call audited (R-A3). */
export const StaffApi = (): ClassDecorator =>
  applyDecorators(
    UseGuards(StaffAuthGuard),
    UseInterceptors(StaffAuditInterceptor),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'missing, malformed, unknown or revoked staff token' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: 'role or region does not allow this' }),
  );

/** R-A1: lifecycle routes; role `support` gets 403. */
export const AdminOnly = (): MethodDecorator => SetMetadata(ADMIN_ONLY_KEY, true);

export const CurrentStaffCall = createParamDecorator((_: unknown, ctx: ExecutionContext): StaffCall => {
  const call = ctx.switchToHttp().getRequest<StaffRequest>().staffCall;
  if (!call) throw new Error('@CurrentStaffCall() used on a route without @StaffApi()');
  return call;
});
