import type { Region } from '@missive/contracts';

/**
 * The send gate (R-S2), run for each recipient at the moment of sending — never when the audience is built — so
 * an unsubscribe, suppression, restriction or erasure that happened a second ago is honoured. Plain function, no
 * I/O: the worker hands it the freshest state it has.
 */
export type SkipReason =
  | 'tenant_inactive'
  | 'erased'
  | 'unsubscribed'
  | 'suppressed'
  | 'bounced'
  | 'restricted'
  | 'no_marketing_basis'
  | 'consent_withdrawn'
  | 'objection'
  | 'minor';

export type ContactStatus = 'active' | 'unsubscribed' | 'suppressed' | 'bounced' | 'restricted';

export type LawfulBasis =
  | 'consent'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interests'
  | 'public_task'
  | 'legitimate_interests';

export interface GateTenant {
  status: 'active' | 'terminated' | 'purged';
  /** Termination takes effect from this instant (R-P1), even while status still reads active. */
  terminatedAt: Date | null;
}

export interface GateContact {
  status: ContactStatus;
  /** The data subject's regime (R-T3): EEA rules apply to UK and Swiss subjects too. */
  region: Region;
  lawfulBasis: LawfulBasis;
  /** The latest consent record was a withdrawal (R-C2). */
  consentWithdrawn: boolean;
  /** The person objected to processing (Art. 21) — the same as an unsubscribe for marketing (R-D1). */
  objected: boolean;
  birthDate: Date | null;
}

export type GateDecision = { send: true } | { send: false; reason: SkipReason };

/** Age below which a data subject is a minor, per regime (R-C3): 16 under GDPR Art. 8, 13 under COPPA. */
export const MINOR_AGE: Record<Region, number> = { EEA: 16, NA: 13 };

const STATUS_SKIPS: Record<Exclude<ContactStatus, 'active'>, SkipReason> = {
  unsubscribed: 'unsubscribed',
  suppressed: 'suppressed',
  bounced: 'bounced',
  restricted: 'restricted',
};

export function ageOn(birthDate: Date, on: Date): number {
  let age = on.getUTCFullYear() - birthDate.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() < birthDate.getUTCMonth() ||
    (on.getUTCMonth() === birthDate.getUTCMonth() && on.getUTCDate() < birthDate.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}

/**
 * Marketing needs a basis that allows it (R-S2): under the EEA regime, consent not withdrawn or legitimate
 * interests without objection (ePrivacy/GDPR Art. 6(1)(a), (f)); under NA rules, any basis unless the person opted
 * out (CAN-SPAM, CCPA). An objection always stops marketing.
 */
function marketingBasis(contact: GateContact): GateDecision {
  if (contact.objected) return { send: false, reason: 'objection' };
  if (contact.region === 'NA') return { send: true };
  if (contact.lawfulBasis === 'consent')
    return contact.consentWithdrawn ? { send: false, reason: 'consent_withdrawn' } : { send: true };
  if (contact.lawfulBasis === 'legitimate_interests') return { send: true };
  return { send: false, reason: 'no_marketing_basis' };
}

export function sendGate(tenant: GateTenant, contact: GateContact | null, now: Date): GateDecision {
  if (tenant.status !== 'active' || (tenant.terminatedAt !== null && tenant.terminatedAt.getTime() <= now.getTime())) {
    return { send: false, reason: 'tenant_inactive' };
  }
  if (contact === null) return { send: false, reason: 'erased' };
  if (contact.status !== 'active') return { send: false, reason: STATUS_SKIPS[contact.status] };
  const basis = marketingBasis(contact);
  if (!basis.send) return basis;
  if (contact.birthDate && ageOn(contact.birthDate, now) < MINOR_AGE[contact.region])
    return { send: false, reason: 'minor' };
  return { send: true };
}
