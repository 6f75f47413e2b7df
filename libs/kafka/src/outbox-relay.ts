import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { Message } from 'kafkajs';
import { parseTopic, REGIONS, regionPrefix, type Region } from '@missive/contracts';
import type { Logger, Metrics } from '@missive/observability';
import { binaryCopyRows } from './binary-copy';
import type { ResilientProducer } from './resilient-producer';

export interface OutboxRelayOptions {
  /** Label for logs and metrics: global, na, eea. */
  name: string;
  url: string;
  /**
   * Relay only this region's rows (topics `na.*` or `eea.*`): for a database that holds events of both regions, the
   * global directory's. Each region then has its own leader, publishing to its own brokers, and a region whose
   * brokers are down or not served here never holds up the other's events (R-T2).
   */
  region?: Region;
  producerFor: (region: Region) => ResilientProducer;
  logger: Logger;
  metrics: Metrics;
  batchSize?: number;
  /** Safety poll in case a NOTIFY is missed (e.g. across a reconnect). */
  pollIntervalMs?: number;
}

interface OutboxRow {
  id: string;
  eventId: string;
  topic: string;
  partitionKey: string | null;
  /** The payload's UTF-8 bytes, as stored: never decoded here. */
  payload: Buffer;
}

/** Lock id for "this process relays this database's outbox"; one relay per database at a time keeps order. */
const RELAY_LOCK_ID = 727100;
/**
 * Payload bytes per send, past which a pass stops taking rows (it always takes one): kafkajs puts a partition's
 * messages of one send in one record batch, which the broker refuses over 1 MB (message.max.bytes). Small
 * events still go 2,000 at a time; big ones (an import's batched `contact.changed` v3) a few at a time.
 */
const MAX_SEND_BYTES = 640 * 1024;
const MAX_BACKOFF_MS = 5000;
/** How often a standby tries to take the lock. */
const STANDBY_POLL_MS = 2000;
/**
 * A leader whose pass failed (its brokers refused the batch, or its connection broke) gives the lock up and waits
 * longer than a standby's poll before it competes again: a relay whose producer is broken, in a process
 * that lost its brokers or was half shut down, must never keep every other relay of the database waiting.
 */
const STEP_DOWN_MS = STANDBY_POLL_MS + 1000;
/**
 * Inbox ids older than this can never be redelivered: topics keep 13 days at most (TOPIC_RETENTION_MS plus one
 * segment), so the leader prunes them hourly and the inbox stays bounded.
 */
const INBOX_KEEP = '14 days';
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Publishes a database's outbox to Kafka (R-X5). One relay per database holds an advisory lock (the others wait
 * as standbys), is woken by NOTIFY from the insert trigger, sends rows in id order through the idempotent
 * producer and deletes them only after the broker acknowledged them. A crash between send and delete resends a
 * batch; consumers dedupe by event id, so the effect is exactly once.
 */
export class OutboxRelay {
  private client: Client | null = null;
  private running = false;
  private wake: (() => void) | null = null;
  private pending = false;
  private loop: Promise<void> | null = null;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly log: Logger;
  private lastPrune = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 2000;
    // Written into the relay's COPY statement (COPY takes no parameters).
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new Error('batchSize must be a positive integer');
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.log = options.logger.child({ component: 'outbox-relay', database: options.name });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        const client = await this.leaderConnection();
        if (!client) {
          await this.sleep(STANDBY_POLL_MS);
          continue;
        }
        const drained = await this.drain(client);
        if (drained) await this.pruneInbox(client);
        backoff = 100;
        if (drained) await this.sleep(this.pollIntervalMs);
      } catch (error) {
        this.options.metrics.outboxRelayErrors.inc({ database: this.options.name });
        const wasLeader = this.client !== null;
        await this.disconnect();
        const wait = wasLeader ? Math.max(backoff, STEP_DOWN_MS) : backoff;
        this.log.warn({ err: error }, `relay pass failed; gave up the lock, retrying in ${wait} ms`);
        await this.sleep(wait);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** A connection that holds the relay lock for this database, or null while another relay holds it. */
  private async leaderConnection(): Promise<Client | null> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.url,
      application_name: `missive:relay:${this.options.name}`,
    });
    client.on('error', () => undefined);
    await client.connect();
    const region = this.options.region;
    const { rows } = await client.query<{ locked: boolean }>(
      region ? 'SELECT pg_try_advisory_lock($1, $2) AS locked' : 'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      region ? [RELAY_LOCK_ID, REGIONS.indexOf(region) + 1] : [RELAY_LOCK_ID],
    );
    if (!rows[0].locked) {
      await client.end().catch(() => undefined);
      return null;
    }
    client.on('notification', () => {
      this.pending = true;
      this.wake?.();
    });
    client.on('end', () => {
      if (this.client === client) this.client = null;
    });
    await client.query('LISTEN outbox');
    this.client = client;
    this.log.info('relay is the leader for this outbox');
    return client;
  }

  /** Sends batches until the outbox is empty; returns true when it is. */
  private async drain(client: Client): Promise<boolean> {
    for (;;) {
      this.pending = false;
      const rows = await this.nextRows(client);
      this.options.metrics.outboxBacklog.set({ database: this.options.name }, rows.length);
      if (rows.length === 0) return true;
      await this.publish(rows);
      await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      this.options.metrics.outboxPublished.inc({ database: this.options.name }, rows.length);
      if (!this.running) return false;
    }
  }

  /**
   * The next rows in id order, up to `batchSize` rows and MAX_SEND_BYTES of payload (always at least one), read by a
   * binary COPY so each payload arrives as the bytes Kafka is sent: no decoding into a string and encoding back
   * (an import's events are ~200 KB each; decoding them was ~5 % of the contacts service's CPU during an import).
   */
  private async nextRows(client: Client): Promise<OutboxRow[]> {
    // COPY takes no parameters; the prefix is one of the fixed region prefixes (`na`, `eea`).
    const ofRegion = this.options.region ? `WHERE topic LIKE '${regionPrefix(this.options.region)}.%'` : '';
    const stream = client.query(
      copyTo(
        `COPY (
           SELECT id::text, event_id::text, topic, partition_key, payload FROM (
             SELECT *, sum(octet_length(payload)) OVER (ORDER BY id) - octet_length(payload) AS before
             FROM (SELECT id, event_id, topic, partition_key, payload FROM outbox ${ofRegion}
                    ORDER BY id LIMIT ${this.batchSize}) o
           ) o WHERE before < ${MAX_SEND_BYTES} ORDER BY id
         ) TO STDOUT (FORMAT binary)`,
      ),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return binaryCopyRows(Buffer.concat(chunks)).map(([id, eventId, topic, partitionKey, payload]) => ({
      id: id!.toString('latin1'),
      eventId: eventId!.toString('latin1'),
      topic: topic!.toString('utf8'),
      partitionKey: partitionKey === null ? null : partitionKey.toString('utf8'),
      payload: payload!,
    }));
  }

  private async pruneInbox(client: Client): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const result = await client.query(
      `DELETE FROM processed_events WHERE processed_at < now() - interval '${INBOX_KEEP}'`,
    );
    if (result.rowCount) this.log.info(`pruned ${result.rowCount} inbox ids older than ${INBOX_KEEP}`);
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const byRegion = new Map<Region, Map<string, Message[]>>();
    for (const row of rows) {
      const parsed = parseTopic(row.topic);
      if (!parsed) throw new Error(`outbox row ${row.id} names a topic outside any region: ${row.topic}`);
      const topics = byRegion.get(parsed.region) ?? new Map<string, Message[]>();
      byRegion.set(parsed.region, topics);
      const messages = topics.get(row.topic) ?? [];
      topics.set(row.topic, messages);
      messages.push({ key: row.partitionKey, value: row.payload, headers: { 'event-id': row.eventId } });
    }
    await Promise.all(
      [...byRegion].map(([region, topics]) =>
        this.options.producerFor(region).sendBatch([...topics].map(([topic, messages]) => ({ topic, messages }))),
      ),
    );
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    if (this.pending || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
