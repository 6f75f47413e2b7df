import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminQuery,
  createScratchDatabases,
  createTestTenant,
  http,
  startTestServices,
  TEST_BOOTSTRAP_TOKEN,
  waitFor,
} from '@missive/testing';
import { privacyService } from '../apps/privacy/src/service';
import { supportService } from '../apps/support/src/service';
import type { BenchRow } from './bench-report';

const CONTACTS = Number(process.env.BENCH_PURGE_CONTACTS ?? 1_000_000);
const HITS = Number(process.env.BENCH_PURGE_HITS ?? 5_000_000);
const DAY = 24 * 3600 * 1000;

/**
 * Issue 9: purge a tenant holding 1,000,000 contacts (each with its consent row) and 5,000,000 tracking events,
 * in databases of its own. Measures the time from the termination's 200 (purge due at once) to the certificate,
 * the purge's own startedAt→completedAt, and the process's peak RSS. Goal: under 5 minutes.
 */
export async function runPurgeBench(): Promise<BenchRow[]> {
  const scratch = await createScratchDatabases(`bench${randomUUID().slice(0, 6)}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-purge-bench-'));
  const services = await startTestServices([supportService, privacyService], {
    ...scratch.env,
    SUPPORT_BOOTSTRAP_TOKEN: TEST_BOOTSTRAP_TOKEN,
    DATA_DIR: dataDir,
    PURGE_SWEEP_INTERVAL_MS: '1000',
    LOG_LEVEL: 'error',
  });
  const db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
  try {
    const { tenant } = await createTestTenant(services, { region: 'NA' });
    const seeding = Date.now();
    for (let from = 1; from <= CONTACTS; from += 250_000) {
      await adminQuery(
        db,
        `INSERT INTO contacts (tenant_id, email, first_name, region, lawful_basis, consent, lists)
         SELECT $1, 'person' || i || '@bench.example', 'Person', 'NA', 'consent',
                '{"givenAt":"2026-01-01T00:00:00Z","source":"bench"}', '{newsletter}'
           FROM generate_series($2::int, $3::int) AS i`,
        [tenant.id, from, Math.min(CONTACTS, from + 249_999)],
      );
    }
    for (let done = 0; done < HITS; done += 1_000_000) {
      await adminQuery(
        db,
        `INSERT INTO tracking_hits (hit_id, tenant_id, campaign_id, contact_id, kind, at, ip_truncated, user_agent, machine)
         SELECT gen_random_uuid(), $1, ('00000000-0000-4000-8000-00000000000' || (i % 10))::uuid, gen_random_uuid(),
                'open', now(), '192.0.2.0', 'Mozilla/5.0', false
           FROM generate_series(1, $2::int) AS i`,
        [tenant.id, Math.min(1_000_000, HITS - done)],
      );
    }
    await adminQuery(db, 'VACUUM ANALYZE contacts, consents, tracking_hits');
    const seedSeconds = (Date.now() - seeding) / 1000;

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const started = Date.now();
    const terminated = await http('POST', `${services.supportUrl}/internal/v1/tenants/${tenant.id}/termination`, {
      token: TEST_BOOTSTRAP_TOKEN,
      headers: { 'x-justification': 'purge bench' },
      body: { terminatedAt: new Date(Date.now() - 14 * DAY).toISOString(), confirmImmediatePurge: true },
    });
    if (terminated.status !== 200) throw new Error(`termination: ${terminated.status} ${terminated.text}`);
    const certificate = await waitFor(
      async () => {
        const res = await http('GET', `${services.supportUrl}/internal/v1/tenants/${tenant.id}/purge-certificate`, {
          token: TEST_BOOTSTRAP_TOKEN,
          headers: { 'x-justification': 'purge bench' },
        });
        return res.status === 200 ? res.body : null;
      },
      { timeoutMs: 30 * 60_000, intervalMs: 500, what: 'the purge certificate' },
    );
    const endToEnd = (Date.now() - started) / 1000;
    clearInterval(sampler);
    const purgeSeconds = (Date.parse(certificate.completedAt) - Date.parse(certificate.startedAt)) / 1000;
    const deleted = Object.values(certificate.deleted as Record<string, number>).reduce((a, b) => a + b, 0);
    return [
      { metric: 'contacts', value: CONTACTS, unit: 'rows' },
      { metric: 'trackingEvents', value: HITS, unit: 'rows' },
      { metric: 'rowsDeleted', value: deleted, unit: 'rows', note: 'certificate total, consents included' },
      { metric: 'purgeSeconds', value: Math.round(purgeSeconds * 10) / 10, unit: 's', note: 'startedAt→completedAt' },
      {
        metric: 'terminationToCertificateSeconds',
        value: Math.round(endToEnd * 10) / 10,
        unit: 's',
        note: 'goal < 300 s',
      },
      { metric: 'rowsPerSecond', value: Math.round(deleted / purgeSeconds), unit: 'rows/s' },
      { metric: 'peakRssMegabytes', value: Math.round(peakRss / 1048576), unit: 'MB' },
      { metric: 'seedSeconds', value: Math.round(seedSeconds), unit: 's', note: 'set-up, not measured' },
    ];
  } finally {
    await services.stop();
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
