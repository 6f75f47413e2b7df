import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminQuery,
  createScratchDatabases,
  startTestServices,
  waitFor,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '@missive/kafka';
import { startLocalBroker, stopLocalBroker } from '../../../deploy/local/kafka-broker';
import { trackingService } from '../src/service';
import { CHROME, LINK_TOKEN_KEYS, openToken } from './tracking-fixtures';

/** A broker of this test's own (it is stopped mid-test) and scratch databases, so no other test is disturbed. */
const PORT = 19096;
const TOTAL = 50000;
const CONTACTS = 1000;
/** A topic of this test's broker that no service reads. */
const WARM_UP_TOPIC = 'test.warm-up';

/**
 * GETs every path with `concurrency` keep-alive connections; resolves with the number of 200 answers. `stopped`
 * ends it early (a failed step must not leave requests running into the next test).
 */
async function drive(
  base: string,
  paths: string[],
  concurrency: number,
  onProgress: (done: number) => void,
  stopped: () => boolean = () => false,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let ok = 0;
  let done = 0;
  const one = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${base}${path}`, { agent, headers: { 'user-agent': CHROME } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length && !stopped()) {
        const path = paths[next++];
        if ((await one(path)) === 200) ok++;
        onProgress(++done);
      }
    }),
  );
  agent.destroy();
  return ok;
}

/**
 * Creates the topics on the fresh broker and waits until it leads every partition (consumers that subscribe to
 * several just-created topics at once can otherwise meet "This server does not host this topic-partition") and
 * takes an idempotent producer's first batch: a fresh broker's transaction coordinator loads for a while, and hits
 * published before that are acknowledged late and spooled, which measures the broker's start, not durability.
 */
async function createTopics(): Promise<void> {
  const kafka = new Kafka({
    clientId: 'tracking-test',
    brokers: [`127.0.0.1:${PORT}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, ['NA']);
    await admin.createTopics({ topics: [{ topic: WARM_UP_TOPIC, numPartitions: 1 }], waitForLeaders: false });
    await waitFor(
      async () => {
        const { topics } = await admin.fetchTopicMetadata();
        return topics.every((t) => t.partitions.every((p) => p.leader >= 0));
      },
      { what: 'partition leaders', timeoutMs: 30000 },
    );
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await waitFor(
      () =>
        producer.send({ topic: WARM_UP_TOPIC, messages: [{ value: 'warm-up' }] }).then(
          () => true,
          () => false,
        ),
      { what: 'an idempotent producer to be acknowledged', timeoutMs: 60000, intervalMs: 500 },
    );
  } finally {
    await producer.disconnect();
  }
}

/** Members, across this broker's consumer groups whose id names `instance`, of processes still consuming. */
async function membersOf(instance: string): Promise<number> {
  const admin = new Kafka({
    clientId: 'tracking-test',
    brokers: [`127.0.0.1:${PORT}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.includes(instance));
    if (ids.length === 0) return 0;
    return (await admin.describeGroups(ids)).groups.reduce((n, g) => n + g.members.length, 0);
  } finally {
    await admin.disconnect();
  }
}

describe('R-K5: no accepted hit is lost across a broker restart or a process restart', () => {
  const uid = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'missive-tracking-durability-'));
  let scratch: ScratchDatabases;
  let db: { url: string };
  let env: Record<string, string>;
  let services: TestServices | undefined;
  const tenantId = randomUUID();

  beforeAll(async () => {
    await startLocalBroker(PORT, { fresh: true });
    await createTopics();
    scratch = await createScratchDatabases(uid);
    db = { url: scratch.env.DATABASE_ADMIN_URL_NA };
    env = {
      ...scratch.env,
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      REGIONS: 'NA',
      LINK_TOKEN_KEYS,
      DATA_DIR: dataDir,
      INSTANCE_ID: `tracking-a-${uid}`,
      // Durability of every accepted hit, not the R-X6 limits (recipient-limits.int-spec.ts): each request counts.
      RECIPIENT_RATE_PER_IP_PER_MINUTE: '0',
      RECIPIENT_RATE_PER_TOKEN_PER_MINUTE: '0',
      RECIPIENT_REPLAY_WINDOW_SECONDS: '0',
    };
    services = await startTestServices([trackingService], env);
  }, 120000);

  afterAll(async () => {
    // Each step runs even if one before it failed: nothing of this test may keep running into the next file.
    await services?.stop().catch(() => undefined);
    await stopLocalBroker(PORT).catch(() => undefined);
    await scratch?.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }, 90000);

  const count = async (campaignId: string) =>
    (
      await adminQuery<{ hits: number; opens: number }>(
        db,
        `SELECT (SELECT count(*)::int FROM tracking_hits WHERE campaign_id = $1) AS hits,
                (SELECT coalesce(sum(opens), 0)::int FROM tracking_campaign_stats WHERE campaign_id = $1) AS opens`,
        [campaignId],
      )
    )[0];
  const spooled = (): string[] => {
    const root = join(dataDir, 'spool', 'na', 'tracking');
    try {
      return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
    } catch {
      return [];
    }
  };

  it('R-K5: 50,000 hits with the broker restarted in the middle → exactly 50,000 recorded', async () => {
    const campaignId = randomUUID();
    const tokens = Array.from({ length: CONTACTS }, () => openToken(tenantId, campaignId, randomUUID()));
    const paths = Array.from({ length: TOTAL }, (_, i) => `/t/o/${tokens[i % CONTACTS]}`);
    let done = 0;
    let failed = false;
    const driving = drive(
      services!.publicUrl,
      paths,
      64,
      (n) => (done = n),
      () => failed,
    );
    try {
      await waitFor(() => done >= TOTAL / 5, { what: 'the first hits', timeoutMs: 90000 });
      await stopLocalBroker(PORT);
      const stoppedAt = done;
      await waitFor(() => done >= Math.min(stoppedAt + 5000, TOTAL), {
        what: 'hits while the broker is away',
        timeoutMs: 60000,
      });
      await startLocalBroker(PORT);
    } catch (error) {
      failed = true;
      await driving.catch(() => undefined);
      await startLocalBroker(PORT).catch(() => undefined);
      throw error;
    }
    const ok = await driving;
    expect(ok).toBe(TOTAL); // every request got its GIF

    let recorded = 0;
    await waitFor(async () => (recorded = (await count(campaignId)).hits) >= TOTAL, {
      what: `${TOTAL} hits recorded`,
      timeoutMs: 240000,
      intervalMs: 1000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}: ${recorded} recorded, ${spooled().length} spool files left`);
    });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // nothing more arrives after
    expect(await count(campaignId)).toEqual({ hits: TOTAL, opens: TOTAL });
    const outcomes = await services!.platform.metrics.trackingHitsPublished.get();
    const spooledCount = outcomes.values.find((v) => v.labels.outcome === 'spooled')?.value ?? 0;
    expect(spooledCount).toBeGreaterThan(0); // the spool was used while the broker was away…
    await waitFor(() => spooled().length === 0, { what: 'the spool to drain', timeoutMs: 30000 });
    expect(outcomes.values.find((v) => v.labels.outcome === 'lost')).toBeUndefined(); // …and nothing was lost
  }, 480000);

  it('R-K5: hits spooled while the broker is away survive a process restart and are replayed by the next process', async () => {
    const campaignId = randomUUID();
    const tokens = Array.from({ length: 100 }, () => openToken(tenantId, campaignId, randomUUID()));
    const paths = Array.from({ length: 2000 }, (_, i) => `/t/o/${tokens[i % tokens.length]}`);
    await stopLocalBroker(PORT);
    expect(await drive(services!.publicUrl, paths, 32, () => undefined)).toBe(2000);
    await services!.stop(); // the process goes away with the hits only on disk
    services = undefined;
    expect(spooled().length).toBeGreaterThan(0);

    await startLocalBroker(PORT);
    // A restarted process has a new instance id; it adopts the old one's spool once that is closed for good.
    services = await startTestServices([trackingService], { ...env, INSTANCE_ID: `tracking-b-${uid}` });
    await waitFor(async () => (await count(campaignId)).hits >= 2000, {
      what: '2,000 replayed hits',
      timeoutMs: 120000,
      intervalMs: 1000,
    });
    expect(await count(campaignId)).toEqual({ hits: 2000, opens: 2000 });
    await waitFor(() => spooled().length === 0, { what: 'the spool to drain', timeoutMs: 30000 });
    // The stopped process is gone for good: none of its consumers came back when the broker did.
    await waitFor(async () => (await membersOf(`tracking-a-${uid}`)) === 0, {
      what: 'the stopped process to have no consumer left',
      timeoutMs: 30000,
      intervalMs: 1000,
    });
  }, 300000);
});
