import { toApiRecord } from '../records/record-shape';

/**
 * What the tenant export holds (API.md `GET /v1/export`): one section per kind of record, each read in keyset
 * pages along an index that starts with `tenant_id` where one exists, so a tenant of any size streams in
 * constant memory. Plain data and functions, no I/O.
 */
export interface ExportSection {
  /** The `kind` field of each line. */
  kind: string;
  table: string;
  /** The columns shown (never `tenant_id`, none named `kind`); must include the key columns under their own names. */
  columns: string;
  /** Keyset columns, unique together within the tenant, in index order. */
  key: string[];
  where?: string;
}

export const EXPORT_PAGE_ROWS = 2000;

export const EXPORT_SECTIONS: readonly ExportSection[] = [
  {
    kind: 'contact',
    table: 'contacts',
    columns: `id, email, first_name, last_name, phone, locale, region, lawful_basis, consent, tracking_consent,
      birth_date::text AS birth_date, status, attributes, lists, tags, lists_left, created_at, updated_at`,
    key: ['email'],
  },
  {
    kind: 'consent',
    table: 'consents',
    columns: 'id, contact_id, kind AS consent_kind, given_at, source, ip, text, explicit, recorded_at',
    key: ['id'],
  },
  {
    kind: 'suppression',
    table: 'suppressions',
    columns: 'email, reason, created_at',
    key: ['email'],
    where: 'email IS NOT NULL',
  },
  {
    // R-D2: what stays of erased people who had opted out; a keyed hash, not an address.
    kind: 'suppression',
    table: 'suppressions',
    columns: 'address_hash, reason, created_at',
    key: ['address_hash'],
    where: 'email IS NULL AND address_hash IS NOT NULL',
  },
  {
    kind: 'campaign',
    table: 'campaigns',
    columns: `id, name, subject, from_email, from_name, html, text_body, links, audience, track_opens, track_clicks,
      send_at, status, audience_size, created_at, updated_at, started_at, finished_at`,
    key: ['id'],
  },
  {
    kind: 'delivery',
    table: 'campaign_deliveries',
    columns: 'campaign_id, contact_id, state, reason, message_id, attempts, updated_at',
    key: ['campaign_id', 'contact_id'],
  },
  {
    kind: 'engagement-event',
    table: 'tracking_hits',
    columns: 'hit_id, campaign_id, contact_id, kind AS event, link_index, at, ip_truncated, user_agent, machine',
    key: ['hit_id'],
  },
  {
    kind: 'engagement',
    table: 'tracking_contact_engagement',
    columns: `campaign_id, contact_id, opens, machine_opens, clicks, machine_clicks, first_open_at, first_click_at,
      last_hit_at`,
    key: ['campaign_id', 'contact_id'],
  },
  {
    kind: 'opt-out',
    table: 'unsubscribe_opt_outs',
    columns: 'id, contact_id, campaign_id, lists, source, created_at',
    key: ['id'],
  },
  {
    kind: 'import',
    table: 'imports',
    columns: `id, format, status, file_bytes, total, created, updated, unchanged, rejected, error_count, errors, failure,
      created_at, started_at, finished_at`,
    key: ['id'],
  },
  {
    kind: 'privacy-request',
    table: 'privacy_requests',
    columns: 'id, type, status, source, contact_id, received_at, acknowledge_by, due_at, completed_at, result',
    key: ['id'],
  },
  {
    kind: 'notice',
    table: 'notices',
    columns: 'id, kind AS notice_kind, summary, created_at',
    key: ['id'],
  },
  {
    // R-X7: the tenant's webhook endpoints; never the signing secret (sealed, and shown once at creation).
    kind: 'webhook',
    table: 'webhook_endpoints',
    columns: 'id, url, events, created_at',
    key: ['id'],
  },
];

/** The query of one page: the first (`after` null) or the one after the previous page's last key. */
export function pageQuery(
  section: ExportSection,
  tenantId: string,
  after: unknown[] | null,
  limit = EXPORT_PAGE_ROWS,
): { sql: string; params: unknown[] } {
  const key = section.key.join(', ');
  const conditions = ['tenant_id = $1'];
  if (section.where) conditions.push(section.where);
  const params: unknown[] = [tenantId];
  if (after) {
    conditions.push(`(${key}) > (${section.key.map((_, i) => `$${i + 2}`).join(', ')})`);
    params.push(...after);
  }
  params.push(limit);
  return {
    sql: `SELECT ${section.columns} FROM ${section.table} WHERE ${conditions.join(' AND ')} ORDER BY ${key} LIMIT $${params.length}`,
    params,
  };
}

/** The key of a page's last row, from which the next page starts. */
export function keyOf(section: ExportSection, row: Record<string, unknown>): unknown[] {
  return section.key.map((column) => row[column]);
}

/** One NDJSON line: the record in the API's shape with its `kind` first. */
export function exportLine(kind: string, row: Record<string, unknown>): string {
  return `${JSON.stringify({ kind, ...toApiRecord(row) })}\n`;
}
