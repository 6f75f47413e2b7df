import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditLog, ForbiddenError, parseBearer, UnauthorizedError } from '@missive/tenancy';
import { StaffCall, routeOf, type StaffRequest } from './staff-call';
import { StaffAuthenticator } from './staff-authenticator';
import { actorOf, mayRunLifecycle, type StaffIdentity } from './staff.rules';

export const ADMIN_ONLY_KEY = 'missive:admin-only';

/**
 * Staff authentication for the support listener (R-A1): the bootstrap token or an issued staff token (looked up
 * by SHA-256, compared in constant time). Lifecycle routes (`@AdminOnly()`) refuse role `support` with 403; the
 * refusal is audited like any other staff call (R-A3).
 */
@Injectable()
export class StaffAuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: StaffAuthenticator,
    private readonly audit: AuditLog,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<StaffRequest>();
    const staff = await this.authenticate(request);
    const justification = request.headers['x-justification'];
    request.staffCall = new StaffCall(staff, typeof justification === 'string' ? justification : null);
    const adminOnly = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_ONLY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (adminOnly && !mayRunLifecycle(staff)) {
      await this.audit.append({ actor: actorOf(staff), action: routeOf(request), details: { outcome: 403 } });
      throw new ForbiddenError('forbidden_role', 'This route needs a staff token with role admin', [
        { field: 'authorization', reason: `role ${staff.role} is read-only` },
      ]);
    }
    return true;
  }

  private async authenticate(request: StaffRequest): Promise<StaffIdentity> {
    const bearer = parseBearer(request.headers.authorization);
    if (!bearer.ok) throw new UnauthorizedError(bearer.reason);
    return this.authenticator.authenticate(bearer.token);
  }
}
