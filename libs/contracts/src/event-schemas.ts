import { CAMPAIGN_LINKS_REGISTERED } from './campaign-events';
import { CONTACT_CHANGED, CONTACT_ERASED, OPT_IN_CONFIRMED } from './contact-events';
import { UNSUBSCRIBE_RECORDED } from './contact-state-events';
import {
  arrayOf,
  bool,
  dataViolationPath,
  instant,
  int,
  nullable,
  oneOf,
  optional,
  sameLengths,
  shape,
  text,
  uuid,
  type DataCheck,
} from './data-checks';
import { DELIVERY_RECORDED } from './delivery-events';
import { CAMPAIGN_ENGAGEMENT_COUNTED, CONTACT_ENGAGED } from './engagement-events';
import { CAMPAIGN_FINISHED, IMPORT_FINISHED } from './finished-events';
import { PRIVACY_REQUEST_REFERRED, PRIVACY_REQUEST_TYPES } from './privacy-events';
import { REGIONS } from './region';
import { TENANT_API_KEY_REVOKED, TENANT_CHANGED, TENANT_NOTICE_ISSUED } from './tenant-events';
import { TRACKING_HIT } from './tracking-events';

export type { DataCheck } from './data-checks';

/*
 * The schema of every event version a consumer subscribes to, in one registry: the interfaces beside each topic
 * stay the compile-time contract, these are the same contract at run time (R-X5), checked by every consumer before
 * its handler. A field added to an interface is added here and to its golden sample (libs/contracts/golden, one
 * envelope per type and version, built from what the producer named in it emits); the spec holds the three together.
 */

const region = oneOf(REGIONS);
const contactStatus = oneOf(['active', 'pending', 'unsubscribed', 'suppressed', 'bounced', 'complained', 'restricted']);
const lawfulBasis = oneOf([
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
]);
const names = arrayOf(text);

/** ContactStateV2: what `contact.changed` v2 and v3 say of one contact in clear. */
const contactStateFields = {
  contactId: uuid,
  status: contactStatus,
  region,
  lawfulBasis,
  consentWithdrawn: bool,
  objected: bool,
  trackingConsent: bool,
  lists: names,
  tags: names,
};

/** ContactChangedColumnsV4 / V5: index i of every column is the i-th contact. */
const contactColumnFields = {
  importId: uuid,
  contactIds: arrayOf(uuid),
  statuses: arrayOf(contactStatus),
  regions: arrayOf(region),
  lawfulBases: arrayOf(lawfulBasis),
  consentWithdrawn: arrayOf(bool),
  trackingConsent: arrayOf(bool),
  lists: arrayOf(names),
  tags: arrayOf(names),
};
const contactColumns = [
  'contactIds',
  'statuses',
  'regions',
  'lawfulBases',
  'consentWithdrawn',
  'trackingConsent',
  'lists',
  'tags',
];

const trackingHitFields = {
  campaignId: uuid,
  contactId: uuid,
  kind: oneOf(['open', 'click']),
  linkIndex: optional(int(0)),
  at: instant,
  machine: bool,
};

const count = int(0);

/** `type` → `version` → the check of that version's `data`. */
const SCHEMAS: ReadonlyMap<string, ReadonlyMap<number, DataCheck>> = new Map(
  Object.entries<Record<number, DataCheck>>({
    [CONTACT_CHANGED]: {
      1: shape({
        contactIds: arrayOf(uuid),
        change: oneOf(['created', 'updated']),
        source: oneOf(['api', 'import']),
        importId: optional(uuid),
      }),
      2: shape({ ...contactStateFields, personal: text }),
      3: shape({ importId: uuid, contacts: arrayOf(shape(contactStateFields)), personal: text }),
      4: sameLengths(shape({ ...contactColumnFields, personal: text }), contactColumns),
      5: sameLengths(shape({ ...contactColumnFields, personal: arrayOf(text) }), [...contactColumns, 'personal']),
    },
    [CONTACT_ERASED]: { 1: shape({ contactId: uuid }) },
    [OPT_IN_CONFIRMED]: { 1: shape({ contactId: uuid, confirmedAt: instant, personal: nullable(text) }) },
    [UNSUBSCRIBE_RECORDED]: {
      1: shape({
        contactId: uuid,
        campaignId: nullable(uuid),
        lists: nullable(names),
        source: oneOf(['one-click', 'page', 'mailto', 'preferences', 'objection']),
      }),
    },
    [DELIVERY_RECORDED]: {
      1: shape({
        contactId: uuid,
        campaignId: nullable(uuid),
        outcome: oneOf(['hard-bounce', 'soft-bounce', 'complaint']),
        source: oneOf(['smtp', 'dsn', 'arf', 'ses', 'sendgrid', 'postmark', 'mailgun']),
        status: nullable(text),
        at: instant,
      }),
    },
    [IMPORT_FINISHED]: { 1: shape({ importId: uuid, status: oneOf(['done', 'failed']) }) },
    [CAMPAIGN_FINISHED]: { 1: shape({ campaignId: uuid, status: oneOf(['sent']) }) },
    [CAMPAIGN_LINKS_REGISTERED]: {
      // Which URLs may be redirected to is the link host's rule, applied link by link (an unusable link is skipped,
      // not its campaign's others): here a URL is only text.
      1: shape({ campaignId: uuid, links: arrayOf(shape({ index: int(0), url: text })) }),
    },
    [TRACKING_HIT]: {
      1: shape({ ...trackingHitFields, ipTruncated: nullable(text), userAgent: nullable(text) }),
      2: shape({ ...trackingHitFields, personal: nullable(text) }),
    },
    [CAMPAIGN_ENGAGEMENT_COUNTED]: {
      1: shape({
        campaignId: uuid,
        revision: int(1),
        countedAt: instant,
        opens: count,
        uniqueOpens: count,
        machineOpens: count,
        clicks: count,
        uniqueClicks: count,
        machineClicks: count,
      }),
    },
    [CONTACT_ENGAGED]: {
      1: shape({ contactId: uuid, lastOpenedAt: nullable(instant), lastClickedAt: nullable(instant) }),
    },
    [PRIVACY_REQUEST_REFERRED]: {
      1: shape({
        requestId: uuid,
        type: oneOf(PRIVACY_REQUEST_TYPES),
        receivedAt: instant,
      }),
    },
    [TENANT_CHANGED]: {
      1: shape({
        tenantId: uuid,
        region,
        status: oneOf(['active', 'terminated', 'purged']),
        terminatedAt: nullable(instant),
        purgeDueAt: nullable(instant),
        legalHold: optional(bool),
      }),
    },
    [TENANT_API_KEY_REVOKED]: { 1: shape({ tenantId: uuid, apiKeyId: uuid }) },
    [TENANT_NOTICE_ISSUED]: {
      1: shape({
        noticeId: uuid,
        incidentId: optional(uuid),
        campaignId: optional(uuid),
        kind: oneOf(['incident', 'complaint-rate']),
        summary: text,
      }),
    },
  }).map(([type, versions]) => [type, new Map(Object.entries(versions).map(([v, check]) => [Number(v), check]))]),
);

/** Whether `type` at `version` has a schema; an event without one is not checked (and not refused). */
export function hasEventSchema(type: string, version: number): boolean {
  return SCHEMAS.get(type)?.has(version) ?? false;
}

/** The event types and versions that have a schema, e.g. `contact.changed` → [1, 2, 3, 4, 5]. */
export function eventSchemaVersions(): Map<string, number[]> {
  return new Map([...SCHEMAS].map(([type, versions]) => [type, [...versions.keys()]]));
}

/**
 * R-X5, R-X6: the path of the first field of an event's `data` that breaks its type and version's schema
 * (`data.contactIds[2]`), or null when it conforms — or when no schema is declared for that type and version:
 * a version newer than this code, or a type nobody declared, goes on to its consumer unchecked, as before.
 */
export function eventDataViolation(type: string, version: number, data: unknown): string | null {
  const check = SCHEMAS.get(type)?.get(version);
  return check ? dataViolationPath(check, data) : null;
}
