import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRACKING_HIT, type TrackingHitV1 } from '@missive/contracts';
import { kafkaConnection } from '@missive/kafka';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
} from '@missive/testing';
import { campaignsService } from '../../campaigns/src/service';
import { contactsService } from '../../contacts/src/service';
import { supportService } from '../../support/src/service';
import { trackingService } from '../../tracking/src/service';
import { CHROME, envelope, LINK_TOKEN_KEYS, openToken, produce, signer } from '../../tracking/test/tracking-fixtures';
import { unsubscribeService } from '../../unsubscribe/src/service';
import { privacyService } from '../src/service';
import { tenantRowCounts } from './purge-fixtures';

const DAY = 24 * 3600 * 1000;
/** The hit consumer waits up to 1 s to batch; this leaves it time to have stored whatever it would store. */
const SETTLE_MS = 3000;

/**
 * R-P6: after a purge's certificate nothing brings the tenant's data back: old pixels get their GIF and record
 * nothing, a late hit event still in Kafka is dropped, an old unsubscribe link stores nothing; and rows that come
 * back anyway are found by the next sweep, deleted and counted on the certificate's record.
 */
describe('R-P6: nothing comes back after a purge', () => {
  let services: TestServices;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-after-purge-'));
    services = await startTestServices(
      [supportService, contactsService, campaignsService, trackingService, unsubscribeService, privacyService],
      {
        SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
        PURGE_SWEEP_INTERVAL_MS: '300',
        LINK_TOKEN_KEYS,
        DATA_DIR: dataDir,
      },
    );
  }, 90000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const support = (method: string, path: string, body?: unknown) =>
    http(method, `${services.supportUrl}/internal/v1/tenants${path}`, {
      token: TEST_BOOTSTRAP_TOKEN,
      body,
      headers: { 'x-justification': 'after-purge test' },
    });
  const hits = async (tenantId: string) =>
    (
      await adminQuery<{ n: number }>('NA', 'SELECT count(*)::int AS n FROM tracking_hits WHERE tenant_id = $1', [
        tenantId,
      ])
    )[0].n;

  it('old pixels, late hit events and old unsubscribe links after the certificate leave no row; a row that came back anyway is deleted and counted', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const id = t.tenant.id;
    const created = await http('POST', `${services.publicUrl}/v1/contacts`, {
      token: t.apiKey,
      body: { email: `after-purge-${id}@example.com`, firstName: 'Ada', lawfulBasis: 'contract' },
    });
    expect(created.status).toBe(201);
    const contactId = created.body.id as string;
    const campaignId = randomUUID();
    const pixel = `${services.publicUrl}/t/o/${openToken(id, campaignId, contactId)}`;
    const open = () => fetch(pixel, { headers: { 'user-agent': CHROME } });

    // Before the purge an open is recorded, so the pixel and the consumers are known to work.
    expect((await open()).status).toBe(200);
    await waitFor(async () => (await hits(id)) === 1, { what: 'the open before the purge', timeoutMs: 15000 });

    const terminated = await support('POST', `/${id}/termination`, {
      terminatedAt: new Date(Date.now() - 20 * DAY).toISOString(),
      confirmImmediatePurge: true,
    });
    expect(terminated.status).toBe(200);
    await waitFor(async () => (await support('GET', `/${id}/purge-certificate`)).status === 200, {
      what: 'the purge certificate',
      timeoutMs: 30000,
    });
    expect(await tenantRowCounts('NA', id)).toEqual({});

    // After it: three opens of the old pixel (the same GIF), a hit event published before the purge and
    // consumed after it, and a one-click unsubscribe from an old message.
    for (let i = 0; i < 3; i++) {
      const res = await open();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
    }
    const late: TrackingHitV1 = {
      campaignId,
      contactId,
      kind: 'open',
      at: new Date().toISOString(),
      ipTruncated: '192.0.2.0',
      userAgent: CHROME,
      machine: false,
    };
    await produce(kafkaConnection(services.config, 'NA'), 'NA', TRACKING_HIT, [envelope(TRACKING_HIT, id, late)]);
    const unsubscribe = signer.mint({ kind: 'unsubscribe', tenantId: id, region: 'NA', campaignId, contactId });
    await http('POST', `${services.publicUrl}/u/${unsubscribe}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: 'List-Unsubscribe=One-Click',
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    expect(await tenantRowCounts('NA', id)).toEqual({});

    // A row that came back some other way: the next sweeps find it, delete it and count it on the certificate.
    await adminQuery(
      'NA',
      `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, ip_truncated, user_agent, machine)
       VALUES (gen_random_uuid(), $1, $2, $3, 'open', now(), '192.0.2.0', 'Mozilla/5.0', false)`,
      [id, campaignId, contactId],
    );
    const certificate = await waitFor(
      async () => {
        const res = await support('GET', `/${id}/purge-certificate`);
        return res.body.deletedAfterCompletion?.['postgres.na.tracking_hits'] ? res.body : null;
      },
      { what: 'the re-check to delete the row that came back', timeoutMs: 20000, intervalMs: 200 },
    );
    expect(certificate.deletedAfterCompletion).toEqual({ 'postgres.na.tracking_hits': 1 });
    expect(await tenantRowCounts('NA', id)).toEqual({});
  });
});
