import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client, Pool } from 'pg';
import { loadConfig } from '@missive/config';
import type { BenchRow } from './bench-report';

/** Reads per form and round, and connections reading at once (as a service's pool under load). */
const READS = Number(process.env.BENCH_TENANT_READ_READS ?? 5000);
const CONCURRENCY = 8;
const ROUNDS = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Read = (client: import('pg').PoolClient, tenantId: string, id: string) => Promise<unknown>;

/**
 * What `GET /v1/contacts/{id}` runs today (Databases.withTenant + ContactsRepository.findById): four round trips,
 * BEGIN, the tenant setting (R-T1's row-level security reads it), the SELECT, COMMIT.
 */
const fourRoundTrips: Read = async (client, tenantId, id) => {
  await client.query('BEGIN');
  await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
  const { rows } = await client.query(`SELECT * FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2`, [tenantId, id]);
  await client.query('COMMIT');
  return rows[0];
};

/**
 * The same in one round trip: the four statements as one simple-protocol query string. Parameters cannot ride in a
 * multi-statement string, so the ids are inlined, which is only safe for strings that are UUIDs (checked first).
 */
const oneRoundTrip: Read = async (client, tenantId, id) => {
  if (!UUID.test(tenantId) || !UUID.test(id)) throw new Error('not a UUID');
  const results = (await client.query(
    `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true);
     SELECT * FROM contacts c WHERE c.tenant_id = '${tenantId}' AND c.id = '${id}'; COMMIT`,
  )) as unknown as { rows: unknown[] }[];
  return results[2].rows[0];
};

async function measure(
  pool: Pool,
  read: Read,
  tenantId: string,
  id: string,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const client = await pool.connect();
      try {
        while (next++ < READS) {
          const t0 = process.hrtime.bigint();
          if (!(await read(client, tenantId, id))) throw new Error('the contact was not read');
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      } finally {
        client.release();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: READS / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  };
}

/**
 * `npm run bench tenant-read` (issue 25, item 6): one contact read by id under row-level security, as the API does
 * it (four round trips) and in one round trip, against the local regional database as the application role,
 * CONCURRENCY connections at once, rounds alternating so drift hits both alike.
 */
export async function runTenantReadBench(): Promise<BenchRow[]> {
  const config = loadConfig();
  const admin = new Client({ connectionString: config.databases.adminRegional.NA });
  await admin.connect();
  const tenantId = randomUUID();
  const id = randomUUID();
  const loadAtStart = loadavg()[0];
  try {
    await admin.query(
      `INSERT INTO contacts (id, tenant_id, email, region, lawful_basis, status)
       VALUES ($1, $2, 'bench@tenant-read.example', 'NA', 'contract', 'active')`,
      [id, tenantId],
    );
    const pool = new Pool({ connectionString: config.databases.regional.NA, max: CONCURRENCY });
    const results = {
      four: [] as Awaited<ReturnType<typeof measure>>[],
      one: [] as Awaited<ReturnType<typeof measure>>[],
    };
    try {
      await measure(pool, fourRoundTrips, tenantId, id); // warm-up: connections, plans, caches
      for (let round = 0; round < ROUNDS; round++) {
        results.four.push(await measure(pool, fourRoundTrips, tenantId, id));
        results.one.push(await measure(pool, oneRoundTrip, tenantId, id));
      }
    } finally {
      await pool.end();
    }
    const best = (list: Awaited<ReturnType<typeof measure>>[]) =>
      list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    const four = best(results.four);
    const one = best(results.one);
    const note = (r: typeof four) =>
      `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; best of ${ROUNDS} rounds of ${READS}, ${CONCURRENCY} connections`;
    return [
      {
        metric: 'read by id, 4 round trips (BEGIN, set_config, SELECT, COMMIT)',
        value: Math.round(four.perSecond),
        unit: 'reads/s',
        note: note(four),
      },
      {
        metric: 'read by id, 1 round trip (the same as one simple query)',
        value: Math.round(one.perSecond),
        unit: 'reads/s',
        note: note(one),
      },
      {
        metric: 'one / four',
        value: Math.round((one.perSecond / four.perSecond) * 100) / 100,
        unit: '×',
        note: `load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end (2 cores)`,
      },
    ];
  } finally {
    await admin.query('DELETE FROM contacts WHERE tenant_id = $1', [tenantId]);
    await admin.end();
  }
}
