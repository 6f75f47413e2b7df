import { randomUUID } from 'node:crypto';
import { appendToOutbox } from '@missive/kafka';
import {
  adminQuery,
  createScratchDatabases,
  startTestServices,
  waitFor,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { startLocalBroker, stopLocalBroker } from '../../../deploy/local/kafka-broker';
import { createProbe } from './probe-service';

/** A broker of this test's own, so stopping it does not disturb the other test files. */
const PORT = 19092;
const TOTAL = 10000;
const BATCH = 100;

describe('R-X5: the broker is stopped and restarted while 10,000 events flow', () => {
  const uid = randomUUID().slice(0, 8);
  let services: TestServices;
  let table: string;
  let scratch: ScratchDatabases;
  // Its own databases too: its relays must not carry the shared outboxes to its private broker.
  let scratchDb: { url: string };

  beforeAll(async () => {
    await startLocalBroker(PORT, { fresh: true });
    scratch = await createScratchDatabases(uid);
    scratchDb = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    const probe = await createProbe(uid, scratchDb);
    table = probe.table;
    services = await startTestServices([probe.service], {
      ...scratch.env,
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      REGIONS: 'NA',
    });
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await stopLocalBroker(PORT);
    await scratch?.drop();
  }, 60000);

  it('R-X5: all 10,000 arrive, each with exactly one effect (0 lost, 0 doubled), and the producer heals itself', async () => {
    const db = services.platform.databases.forRegion('NA');
    const write = async (from: number) => {
      await db.transaction(async (m) => {
        const ns = Array.from({ length: BATCH }, (_, i) => from + i);
        await m.query(`INSERT INTO probe_rows_${uid} (n) SELECT unnest($1::int[])`, [ns]);
        await appendToOutbox(
          m,
          ns.map((n) => ({
            type: 'platform.probe',
            region: 'NA' as const,
            tenantId: null,
            key: `${uid}-${n % 7}`,
            data: { run: uid, n },
          })),
        );
      });
    };
    const consumed = async () =>
      (await adminQuery<{ c: number }>(scratchDb, `SELECT count(*)::int AS c FROM ${table}`))[0].c;

    // First third flows normally.
    for (let n = 0; n < TOTAL / 3; n += BATCH) await write(n);
    await waitFor(async () => (await consumed()) > 0, { what: 'the first events', timeoutMs: 30000 });

    // Broker goes away while writes go on: they wait in the outbox.
    await stopLocalBroker(PORT);
    let n = Math.ceil(TOTAL / 3 / BATCH) * BATCH;
    for (; n < (TOTAL * 2) / 3; n += BATCH) await write(n);
    await startLocalBroker(PORT);
    for (; n < TOTAL; n += BATCH) await write(n);

    await waitFor(async () => (await consumed()) === TOTAL, {
      what: `${TOTAL} effects`,
      timeoutMs: 150000,
      intervalMs: 500,
    });
    const [summary] = await adminQuery<{ rows: number; doubled: number; distinct_n: number }>(
      scratchDb,
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE count <> 1)::int AS doubled, count(DISTINCT n)::int AS distinct_n FROM ${table}`,
    );
    expect(summary).toEqual({ rows: TOTAL, doubled: 0, distinct_n: TOTAL });
    await waitFor(
      async () =>
        (
          await adminQuery<{ c: number }>(
            scratchDb,
            `SELECT count(*)::int AS c FROM outbox WHERE partition_key LIKE $1`,
            [`${uid}-%`],
          )
        )[0].c === 0,
      { what: 'the outbox to drain' },
    );
  }, 240000);
});
