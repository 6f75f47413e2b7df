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

/** GETs every path with `concurrency` keep-alive connections; resolves with the number of 200 answers. */
async function drive(base: string, paths: string[], concurrency: number, onProgress: (done: number) => void) {
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
      while (next < paths.length) {
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
 * Creates the topics on the fresh broker and waits until it leads every partition: consumers that subscribe to
 * several just-created topics at once can otherwise meet "This server does not host this topic-partition".
 */
async function createTopics(): Promise<void> {
  const admin = new Kafka({
    clientId: 'tracking-test',
    brokers: [`127.0.0.1:${PORT}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, ['NA']);
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
    await services?.stop();
    await stopLocalBroker(PORT);
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60000);

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
    const driving = drive(services!.publicUrl, paths, 64, (n) => (done = n));

    await waitFor(() => done >= TOTAL / 5, { what: 'the first hits', timeoutMs: 60000 });
    await stopLocalBroker(PORT);
    const stoppedAt = done;
    await waitFor(() => done >= Math.min(stoppedAt + 5000, TOTAL), {
      what: 'hits while the broker is away',
      timeoutMs: 60000,
    });
    await startLocalBroker(PORT);
    const ok = await driving;
    expect(ok).toBe(TOTAL); // every request got its GIF

    await waitFor(async () => (await count(campaignId)).hits >= TOTAL, {
      what: `${TOTAL} hits recorded`,
      timeoutMs: 180000,
      intervalMs: 1000,
    });
    await new Promise((resolve) => setTimeout(resolve, 2000)); // nothing more arrives after
    expect(await count(campaignId)).toEqual({ hits: TOTAL, opens: TOTAL });
    const outcomes = await services!.platform.metrics.trackingHitsPublished.get();
    const spooledCount = outcomes.values.find((v) => v.labels.outcome === 'spooled')?.value ?? 0;
    expect(spooledCount).toBeGreaterThan(0); // the spool was used while the broker was away…
    await waitFor(() => spooled().length === 0, { what: 'the spool to drain', timeoutMs: 30000 });
    expect(outcomes.values.find((v) => v.labels.outcome === 'lost')).toBeUndefined(); // …and nothing was lost
  }, 400000);

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
  }, 300000);
});
