import { isMinor, type MinimumAges } from '@missive/contact-domain';
import type { ContactStatusV1, Region } from '@missive/contracts';

/**
 * The send gate (R-S2), run for each recipient at the moment of sending — never when the audience is built — so
 * an unsubscribe, suppression, restriction or erasure that happened a second ago is honoured. Plain function, no
 * I/O: the worker hands it the freshest state it has.
 */
export type SkipReason =
  | 'tenant_inactive'
  | 'erased'
  | 'pending'
  | 'unsubscribed'
  | 'suppressed'
  | 'bounced'
  | 'complained'
  | 'restricted'
  | 'no_marketing_basis'
  | 'consent_withdrawn'
  | 'objection'
  | 'minor';

/** The contracts' status: the gate decides on exactly the statuses contacts publishes. */
export type ContactStatus = ContactStatusV1;

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

const STATUS_SKIPS: Record<Exclude<ContactStatus, 'active'>, SkipReason> = {
  // R-C8: a double opt-in not confirmed yet is no consent; only the confirmation makes the contact mailable.
  pending: 'pending',
  unsubscribed: 'unsubscribed',
  suppressed: 'suppressed',
  bounced: 'bounced',
  complained: 'complained',
  restricted: 'restricted',
};

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

/**
 * `minimumAges` is the configured age per regime (R-C3, MissiveConfig.minimumAges). The contacts API refuses minors
 * by the same rule (`isMinor`); the gate still checks, for contacts accepted before the setting was raised.
 */
export function sendGate(
  tenant: GateTenant,
  contact: GateContact | null,
  now: Date,
  minimumAges: MinimumAges,
): GateDecision {
  if (tenant.status !== 'active' || (tenant.terminatedAt !== null && tenant.terminatedAt.getTime() <= now.getTime())) {
    return { send: false, reason: 'tenant_inactive' };
  }
  if (contact === null) return { send: false, reason: 'erased' };
  if (contact.status !== 'active') return { send: false, reason: STATUS_SKIPS[contact.status] };
  const basis = marketingBasis(contact);
  if (!basis.send) return basis;
  // The projection's birth date is a calendar date read as UTC midnight.
  if (contact.birthDate && isMinor(contact.birthDate.toISOString().slice(0, 10), contact.region, minimumAges, now))
    return { send: false, reason: 'minor' };
  return { send: true };
}
