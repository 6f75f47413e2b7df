import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminQuery,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
  type TestServices,
} from '@missive/testing';
import { privacyService } from '../../privacy/src/service';
import { supportService } from '../../support/src/service';
import { contactsService } from '../src/service';

const DAY = 24 * 3600 * 1000;

describe('R-X7, R-P2: a purged tenant leaves no webhook endpoint (nor its sealed secret)', () => {
  let services: TestServices;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'missive-webhooks-purge-'));
    services = await startTestServices([supportService, contactsService, privacyService], {
      SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
      PURGE_SWEEP_INTERVAL_MS: '300',
      DATA_DIR: dataDir,
    });
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-X7, R-P2: the purge deletes the webhook_endpoints rows and certifies them', async () => {
    const t = await createTestTenant(services, { region: 'NA' });
    const id = t.tenant.id;
    for (const path of ['one', 'two']) {
      const res = await http('POST', `${services.publicUrl}/v1/webhooks`, {
        token: t.apiKey,
        body: { url: `http://127.0.0.1:9/${path}`, events: ['import.finished'] },
      });
      expect(res.status).toBe(201);
    }
    const count = async () =>
      (
        await adminQuery<{ n: number }>('NA', 'SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant_id = $1', [
          id,
        ])
      )[0].n;
    expect(await count()).toBe(2);

    const support = (method: string, path: string, body?: unknown) =>
      http(method, `${services.supportUrl}/internal/v1/tenants/${id}${path}`, {
        token: TEST_BOOTSTRAP_TOKEN,
        body,
        headers: { 'x-justification': 'webhooks purge test' },
      });
    const terminated = await support('POST', '/termination', {
      terminatedAt: new Date(Date.now() - 20 * DAY).toISOString(),
      confirmImmediatePurge: true,
    });
    expect(terminated.status).toBe(200);
    const certificate = await waitFor(
      async () => {
        const res = await support('GET', '/purge-certificate');
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 30_000, what: 'the purge certificate' },
    );
    expect(certificate.deleted['postgres.na.webhook_endpoints']).toBe(2);
    expect(await count()).toBe(0);
  }, 60_000);
});
