import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, concatMap, from, type Observable, throwError } from 'rxjs';
import { DomainError } from '@missive/http';
import { AuditLog } from '@missive/tenancy';
import { routeOf, type StaffRequest } from './staff-call';
import { actorOf } from './staff.rules';

function statusOf(error: unknown): number {
  if (error instanceof DomainError) return error.status;
  if (error instanceof HttpException) return error.getStatus();
  return 500;
}

/**
 * R-A3: every staff call that passed authentication is appended to the audit log after it ran, with its outcome,
 * the tenant it touched and whether it crossed regions (R-T4). Reads included: who looked at what is the point.
 */
@Injectable()
export class StaffAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<StaffRequest>();
    return next.handle().pipe(
      concatMap((value) => from(this.record(request, 'ok').then(() => value))),
      catchError((error: unknown) =>
        from(this.record(request, statusOf(error))).pipe(concatMap(() => throwError(() => error))),
      ),
    );
  }

  private async record(request: StaffRequest, outcome: 'ok' | number): Promise<void> {
    const call = request.staffCall;
    if (!call) return;
    await this.audit.append({
      actor: actorOf(call.staff),
      action: routeOf(request),
      tenantId: call.tenantId,
      crossRegion: call.crossRegion,
      details: { outcome, ...(call.justification ? { justification: call.justification } : {}) },
    });
  }
}
