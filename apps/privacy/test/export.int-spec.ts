import { randomUUID } from 'node:crypto';
import type { ServiceDefinition } from '@missive/platform';
import { TenantDirectory } from '@missive/tenancy';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  type TestServices,
  type TestTenant,
} from '@missive/testing';
import { CSV_HEADER, csvRow, importFile } from '../../contacts/test/import-helpers';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { EXPORT_PAGE_ROWS } from '../src/export/export-sections';
import { ExportModule } from '../src/export/export.module';
import { PrivacyRequestsModule } from '../src/requests/privacy-requests.module';

/** The privacy service's request and export modules (privacy.module.ts is wired separately). */
const privacyRequestsService: ServiceDefinition = {
  name: 'privacy',
  publicModules: [PrivacyRequestsModule, ExportModule],
};

type Line = Record<string, unknown> & { kind: string };

describe('tenant export (GET /v1/export, R-P1, R-D1)', () => {
  let services: TestServices;
  let tenant: TestTenant;
  let other: TestTenant;
  /** More contacts than one page holds, so the export has to page. */
  const CONTACTS = EXPORT_PAGE_ROWS + 500;

  const exportOf = async (t: TestTenant) => {
    const res = await fetch(`${services.publicUrl}/v1/export`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    const text = await res.text();
    const lines =
      res.status === 200
        ? text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Line)
        : [];
    return { status: res.status, contentType: res.headers.get('content-type'), text, lines };
  };
  const ofKind = (lines: Line[], kind: string) => lines.filter((l) => l.kind === kind);

  beforeAll(async () => {
    services = await startTestServices([privacyRequestsService, contactsService, supportService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    });
    [tenant, other] = await Promise.all([
      createTestTenant(services, { region: 'EEA' }),
      createTestTenant(services, { region: 'EEA' }),
    ]);
    const rows = Array.from({ length: CONTACTS }, (_, i) => csvRow(i, { email: `export${i}@example.com` }));
    const report = await importFile(services, tenant, `${CSV_HEADER}\n${rows.join('\n')}\n`);
    expect(report).toMatchObject({ status: 'done', created: CONTACTS });
    const [first] = await adminQuery('EEA', `SELECT id FROM contacts WHERE tenant_id = $1 AND email = $2`, [
      tenant.tenant.id,
      'export0@example.com',
    ]);
    const campaignId = randomUUID();
    await adminQuery(
      'EEA',
      `INSERT INTO campaigns (id, tenant_id, name, subject, from_email, html, audience, status)
       VALUES ($1, $2, 'Autumn', 'Hi', 'news@example.com', '<p>Hi</p>', '{}', 'sent')`,
      [campaignId, tenant.tenant.id],
    );
    await adminQuery(
      'EEA',
      `INSERT INTO campaign_deliveries (tenant_id, campaign_id, contact_id, state) VALUES ($1, $2, $3, 'sent')`,
      [tenant.tenant.id, campaignId, first.id],
    );
    await adminQuery(
      'EEA',
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, machine)
       VALUES ($1, $2, $3, $4, 'open', now(), false)`,
      [randomUUID(), tenant.tenant.id, campaignId, first.id],
    );
    await adminQuery(
      'EEA',
      `INSERT INTO tracking_contact_engagement (tenant_id, campaign_id, contact_id, opens, last_hit_at)
       VALUES ($1, $2, $3, 1, now())`,
      [tenant.tenant.id, campaignId, first.id],
    );
    await adminQuery(
      'EEA',
      `INSERT INTO unsubscribe_opt_outs (tenant_id, contact_id, lists, source) VALUES ($1, $2, NULL, 'page')`,
      [tenant.tenant.id, first.id],
    );
    const suppression = await http('POST', `${services.publicUrl}/v1/suppressions`, {
      token: tenant.apiKey,
      body: { email: 'blocked@example.com' },
    });
    expect(suppression.status).toBe(201);
    const access = await http('POST', `${services.publicUrl}/v1/privacy-requests`, {
      token: tenant.apiKey,
      body: { type: 'access', email: 'export1@example.com' },
    });
    expect(access.status).toBe(202);
    await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: other.apiKey,
      body: { email: 'someone-else@example.com', lawfulBasis: 'contract' },
    });
  }, 120000);

  afterAll(async () => {
    await services?.stop();
  });

  it('R-D1: streams everything the tenant holds as NDJSON, one object per line with a kind, paged past one page', async () => {
    const { status, contentType, lines } = await exportOf(tenant);
    expect(status).toBe(200);
    expect(contentType).toContain('application/x-ndjson');
    expect(lines[0]).toMatchObject({ kind: 'export', tenantId: tenant.tenant.id, region: 'EEA' });
    const end = lines[lines.length - 1];
    expect(end.kind).toBe('end');

    const contacts = ofKind(lines, 'contact');
    expect(contacts).toHaveLength(CONTACTS);
    expect(new Set(contacts.map((c) => c.email)).size).toBe(CONTACTS);
    expect(contacts[0]).toMatchObject({
      email: 'export0@example.com',
      lawfulBasis: 'consent',
      lists: ['news', 'offers'],
    });
    expect(contacts[0]).not.toHaveProperty('tenantId');
    expect(ofKind(lines, 'consent')).toHaveLength(CONTACTS);
    expect(ofKind(lines, 'consent')[0]).toMatchObject({ consentKind: 'grant', source: 'web' });
    expect(ofKind(lines, 'suppression')).toEqual([expect.objectContaining({ email: 'blocked@example.com' })]);
    expect(ofKind(lines, 'campaign')).toEqual([expect.objectContaining({ name: 'Autumn', status: 'sent' })]);
    expect(ofKind(lines, 'delivery')).toEqual([expect.objectContaining({ state: 'sent' })]);
    expect(ofKind(lines, 'engagement-event')).toEqual([expect.objectContaining({ event: 'open' })]);
    expect(ofKind(lines, 'engagement')).toEqual([expect.objectContaining({ opens: 1 })]);
    expect(ofKind(lines, 'opt-out')).toEqual([expect.objectContaining({ source: 'page', lists: null })]);
    expect(ofKind(lines, 'import')).toEqual([expect.objectContaining({ status: 'done', created: CONTACTS })]);
    expect(ofKind(lines, 'import')[0]).not.toHaveProperty('filePath');
    expect(ofKind(lines, 'privacy-request')).toEqual([
      expect.objectContaining({ type: 'access', status: 'completed', source: 'api' }),
    ]);
    expect(end.counts).toMatchObject({ contact: CONTACTS, consent: CONTACTS, suppression: 1, delivery: 1 });
  });

  it('R-T1: the export holds only the calling tenant’s data', async () => {
    const mine = await exportOf(tenant);
    expect(mine.text).not.toContain('someone-else@example.com');
    const theirs = await exportOf(other);
    expect(ofKind(theirs.lines, 'contact')).toEqual([expect.objectContaining({ email: 'someone-else@example.com' })]);
    expect(theirs.text).not.toContain('export0@example.com');
  });

  it('R-A3: every export is in the audit log under the key that asked for it', async () => {
    await exportOf(tenant);
    const entries = await adminQuery<{ actor: string }>(
      'global',
      `SELECT actor FROM audit_log WHERE tenant_id = $1 AND action = 'tenant.export'`,
      [tenant.tenant.id],
    );
    expect(entries.map((e) => e.actor)).toContain(`api-key:${tenant.apiKeyId}`);
  });

  it('R-P1: after termination the keys still export, while every other route answers 403', async () => {
    await adminQuery('global', `UPDATE tenants SET terminated_at = now() - interval '1 hour' WHERE id = $1`, [
      tenant.tenant.id,
    ]);
    // The directory's cache is evicted by tenant events in production; this test changed the row directly.
    services.publicApp!.get(TenantDirectory, { strict: false }).evictTenant(tenant.tenant.id);

    const exported = await exportOf(tenant);
    expect(exported.status).toBe(200);
    expect(ofKind(exported.lines, 'contact')).toHaveLength(CONTACTS);
    expect(exported.lines[exported.lines.length - 1].kind).toBe('end');

    const contacts = await http('GET', `${services.publicUrl}/v1/contacts?email=export0@example.com`, {
      token: tenant.apiKey,
    });
    expect(contacts.status).toBe(403);
    expect(contacts.body.error).toBe('tenant_terminated');
    const request = await http('POST', `${services.publicUrl}/v1/privacy-requests`, {
      token: tenant.apiKey,
      body: { type: 'access', email: 'export0@example.com' },
    });
    expect(request.status).toBe(403);
  });
});
