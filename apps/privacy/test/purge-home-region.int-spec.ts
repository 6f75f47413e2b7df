import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@missive/platform';
import {
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
} from '@missive/testing';
import { supportService } from '../../support/src/service';
import { privacyService } from '../src/service';
import { seedOtherStores, seedRows, tenantRowCounts } from './purge-fixtures';

const DAY = 24 * 3600 * 1000;
const SWEEP_MS = 300;

/**
 * R-P7 in a per-region deployment: a privacy worker that serves only NA must never purge, or certify, an EEA
 * tenant (its data is not in any store the NA worker can reach). The tenant waits for a worker of its home region,
 * whose certificate names only that region's stores, with counts equal to the rows seeded there.
 *
 * The purge is due only on this file's clock (30 days ahead): workers of other test files, on the wall clock,
 * never see it due.
 */
describe('R-P7: only the home region purges a tenant and certifies it', () => {
  const clock = new ManualClock(new Date(Date.now() + 30 * DAY));
  let na: TestServices;
  let eea: TestServices | undefined;
  let dataDir: string;

  const support = (method: string, path: string, body?: unknown) =>
    http(method, `${na.supportUrl}/internal/v1/tenants${path}`, { token: TEST_BOOTSTRAP_TOKEN, body });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-purge-region-'));
    na = await startTestServices(
      [supportService, privacyService],
      {
        REGIONS: 'NA',
        SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
        PURGE_SWEEP_INTERVAL_MS: String(SWEEP_MS),
        DATA_DIR: dataDir,
      },
      { clock },
    );
  });

  afterAll(async () => {
    await eea?.stop();
    await na?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('an NA-only worker leaves a due EEA tenant alone; the EEA worker purges it with an EEA-only certificate', async () => {
    const { tenant } = await createTestTenant(na, { region: 'EEA' });
    await seedRows('EEA', tenant.id, { contacts: 20, hits: 30 });
    const other = await seedOtherStores('EEA', tenant.id, {
      dataDir,
      queuePrefix: `eea:bull:${na.config.queueNamespace}`,
    });
    const before = await tenantRowCounts('EEA', tenant.id);
    expect(before.contacts).toBe(20);

    const terminated = await support('POST', `/${tenant.id}/termination`, {
      terminatedAt: new Date(Date.now()).toISOString(),
      confirmImmediatePurge: true,
      reason: 'R-P7 test',
    });
    expect(terminated.status).toBe(200);
    expect(new Date(terminated.body.purgeDueAt).getTime()).toBeLessThan(clock.now().getTime());

    // Several sweeps of the NA worker: no certificate, nothing deleted, the tenant not marked purged.
    for (let i = 0; i < 6; i++) await new Promise((r) => setTimeout(r, SWEEP_MS + 50));
    expect((await support('GET', `/${tenant.id}/purge-certificate`)).status).toBe(404);
    expect((await support('GET', `/${tenant.id}`)).body.status).toBe('terminated');
    expect(await tenantRowCounts('EEA', tenant.id)).toEqual(before);

    eea = await startTestServices(
      [privacyService],
      {
        REGIONS: 'EEA',
        PURGE_SWEEP_INTERVAL_MS: String(SWEEP_MS),
        DATA_DIR: dataDir,
        QUEUE_NAMESPACE: na.config.queueNamespace!,
      },
      { clock },
    );
    const certificate = await waitFor(
      async () => {
        const res = await support('GET', `/${tenant.id}/purge-certificate`);
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 30000, what: 'the EEA worker’s purge certificate' },
    );
    const stores = Object.keys(certificate.deleted);
    expect(stores.filter((s) => !s.includes('.eea'))).toEqual([]);
    for (const [table, n] of Object.entries(before)) {
      if (table === 'tenant_keys') continue;
      expect([table, certificate.deleted[`postgres.eea.${table}`]]).toEqual([table, n]);
    }
    expect(certificate.deleted['files.eea']).toBe(other.files);
    expect(certificate.deleted['bullmq.eea']).toBe(other.jobs);
    expect(certificate.deleted['redis.eea']).toBeGreaterThanOrEqual(other.redisKeys);
    expect(await tenantRowCounts('EEA', tenant.id)).toEqual({});
  });
});
