import { randomUUID } from 'node:crypto';
import type { ContactChangedV2, Region } from '@missive/contracts';
import { appendToOutbox, type OutgoingEvent } from '@missive/kafka';
import { adminQuery, waitFor, type TestServices } from '@missive/testing';

export interface SeedContact {
  email: string;
  region?: Region;
  lawfulBasis?: ContactChangedV2['lawfulBasis'];
  status?: ContactChangedV2['status'];
  trackingConsent?: boolean;
  lists?: string[];
  firstName?: string;
  birthDate?: string | null;
  attributes?: Record<string, unknown>;
}

/**
 * Publishes contact.changed v2 events through the outbox exactly as the contacts service does (personal fields
 * sealed with the tenant key) and waits until the campaigns projection holds them (in `database`, for services
 * started on scratch databases).
 */
export async function seedContacts(
  services: TestServices,
  tenant: { id: string; region: Region },
  contacts: SeedContact[],
  database?: { url: string },
): Promise<string[]> {
  const ids = contacts.map(() => randomUUID());
  const events: OutgoingEvent[] = [];
  for (const [i, c] of contacts.entries()) {
    const personal = await services.platform.tenantKeys.seal(tenant.region, tenant.id, {
      email: c.email,
      firstName: c.firstName ?? null,
      lastName: null,
      phone: null,
      locale: null,
      birthDate: c.birthDate ?? null,
      attributes: c.attributes ?? {},
    });
    const data: ContactChangedV2 = {
      contactId: ids[i],
      status: c.status ?? 'active',
      region: c.region ?? tenant.region,
      lawfulBasis: c.lawfulBasis ?? 'consent',
      consentWithdrawn: false,
      objected: false,
      trackingConsent: c.trackingConsent ?? false,
      lists: c.lists ?? ['news'],
      tags: [],
      personal,
    };
    events.push({ type: 'contact.changed', version: 2, region: tenant.region, tenantId: tenant.id, key: ids[i], data });
  }
  await services.platform.databases.forRegion(tenant.region).transaction((m) => appendToOutbox(m, events));
  await waitFor(
    async () =>
      (
        await adminQuery<{ n: number }>(
          database ?? tenant.region,
          'SELECT count(*)::int AS n FROM campaign_contacts WHERE tenant_id = $1 AND contact_id = ANY($2)',
          [tenant.id, ids],
        )
      )[0].n === ids.length,
    { what: 'the campaigns projection to hold the seeded contacts', timeoutMs: 20000 + 20 * ids.length },
  );
  return ids;
}

/** Waits until the unsubscribe service's projection knows these contacts (its page and one-click need them). */
export async function waitForUnsubscribeProjection(region: Region, ids: string[]): Promise<void> {
  await waitFor(
    async () =>
      (
        await adminQuery<{ n: number }>(
          region,
          'SELECT count(*)::int AS n FROM unsubscribe_contacts WHERE contact_id = ANY($1)',
          [ids],
        )
      )[0].n === ids.length,
    { what: 'the unsubscribe projection', timeoutMs: 20000 + 20 * ids.length },
  );
}

/**
 * Writes `count` mailable contacts straight into the campaigns projection (as the owner), for tests and benches that
 * need a large audience fast; the projection consumer itself is covered by `seedContacts`. Returns the contact ids.
 */
export async function seedProjection(
  tenant: { id: string; region: Region },
  count: number,
  options: { list: string; emailPrefix: string },
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 10000) {
    const rows = await adminQuery<{ contact_id: string }>(
      tenant.region,
      `INSERT INTO campaign_contacts (tenant_id, contact_id, email, region, lawful_basis, status, lists, variables)
       SELECT $1, gen_random_uuid(), $2 || i || '@bench.example', $3, 'consent', 'active', ARRAY[$4],
         jsonb_build_object('firstName', 'R' || i)
       FROM generate_series($5::int, $6::int - 1) AS i
       RETURNING contact_id`,
      [tenant.id, options.emailPrefix, tenant.region, options.list, start, Math.min(start + 10000, count)],
    );
    ids.push(...rows.map((r) => r.contact_id));
  }
  return ids;
}
