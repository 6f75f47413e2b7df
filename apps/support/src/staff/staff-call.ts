import type { StaffIdentity } from './staff.rules';

/**
 * One staff request as the audit sees it (R-A3): who, and — filled in by the service as it learns them — which
 * tenant it touched and whether that was a cross-region access (R-T4). The interceptor writes it after the call.
 */
export class StaffCall {
  tenantId: string | null = null;
  crossRegion = false;
  justification: string | null = null;

  constructor(
    readonly staff: StaffIdentity,
    /** The X-Justification header as sent, if any. */
    readonly justificationHeader: string | null,
  ) {}
}

export interface StaffRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  routeOptions?: { url?: string };
  staffCall?: StaffCall;
}

export function routeOf(request: StaffRequest): string {
  return `${request.method} ${request.routeOptions?.url ?? 'unmatched'}`;
}
