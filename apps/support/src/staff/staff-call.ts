import { InvalidInputError } from '@missive/http';
import { ForbiddenError } from '@missive/tenancy';
import type { StaffDecision, StaffIdentity, StaffRefusal } from './staff.rules';

/** The part of the request each refusal is about (the error body's `details[].field`). */
const FIELD_OF: Record<StaffRefusal, string> = {
  justification_required: 'X-Justification',
  invalid_justification: 'X-Justification',
  forbidden_region: 'region',
  forbidden_role: 'role',
};

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

  /**
   * Applies a `decideStaffAction` decision (R-A1, R-T4): records whether the call crossed regions and its
   * justification for the audit entry, or throws the refusal (400 for a malformed justification, else 403). A
   * refused cross-region attempt is audited as cross-region too: who tried to reach another region matters.
   */
  authorize(decision: StaffDecision): void {
    this.crossRegion = this.crossRegion || decision.crossRegion;
    if (decision.allowed) {
      this.justification = decision.justification ?? this.justification;
      return;
    }
    const details = [{ field: FIELD_OF[decision.code], reason: decision.reason }];
    if (decision.code === 'invalid_justification')
      throw new InvalidInputError('Invalid input: X-Justification', details);
    throw new ForbiddenError(decision.code, decision.reason, details);
  }
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

/** For a change's own audit entry: the justification of a cross-region call (R-T4), or nothing. */
export function justificationOf(call: StaffCall): { justification?: string } {
  return call.justification ? { justification: call.justification } : {};
}
