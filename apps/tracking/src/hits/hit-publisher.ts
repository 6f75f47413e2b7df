import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import { MissiveConfig } from '@missive/config';
import { topicName, TRACKING_HIT, type Region } from '@missive/contracts';
import { KafkaClients, ResilientProducer } from '@missive/kafka';
import { Metrics, type Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { HitSpool } from './hit-spool';

/** A send not acknowledged within this is spooled instead, so a hit never waits on a slow or absent broker. */
const SEND_TIMEOUT_MS = 1000;
/**
 * A batch this big leaves without waiting for its linger (Kafka's own `batch.size` default, about 40 hits), so a
 * burst pipelines across the producers instead of idling through the linger (figures: docs/benchmarks.md, tuning).
 */
const BATCH_BYTES = 16 * 1024;
/**
 * At most this much in one produce request when full batches queued while every producer was busy (all of a
 * campaign's hits go to one partition, and the broker refuses a partition's batch over 1 MB).
 */
const REQUEST_BYTES = 512 * 1024;
/**
 * A batch leaves no sooner than this after its first hit (Kafka's linger.ms): the broker's and the link host's work
 * is per produce request, so a short linger buys fewer, fuller requests (docs/benchmarks.md, tuning).
 */
const LINGER_MS = 1;
/**
 * Produce requests in flight at once per region, each on an idempotent producer of its own (kafkajs allows one
 * in-flight request per idempotent producer): a hit waits for the broker's acknowledgement, so throughput is
 * concurrency over latency, and a lingered batch leaves while the previous one is still out. Hits are independent
 * (the consumer dedupes by hit id and the aggregates are sums), so their order across requests does not matter.
 */
const PRODUCERS_PER_REGION = 2;
/** The slot of the producer that replays the spool, beside those of live hits. */
const REPLAY_SLOT = PRODUCERS_PER_REGION;
/** How often spooled hits are retried while there are any. */
const REPLAY_INTERVAL_MS = 500;
const REPLAY_CHUNK = 1000;

/** How a hit was made durable; `lost` only when neither Kafka nor the local disk took it. */
export type HitOutcome = 'published' | 'spooled' | 'lost' | 'none';

interface Batch {
  /** When the batch was opened, by its first hit (performance.now()). */
  openedAt: number;
  messages: Message[];
  /** Characters of the messages' values (hits are ASCII but for a user agent's rare non-ASCII character). */
  size: number;
  done: Promise<HitOutcome>;
  settle: (outcome: HitOutcome) => void;
}

interface Lane {
  region: Region;
  topic: string;
  kafka: Kafka;
  /** One slot per producer of live hits, plus REPLAY_SLOT; `idle` holds the live slots with no request in flight. */
  producers: ResilientProducer[];
  idle: number[];
  spool: HitSpool;
  /** Batches not yet sent, oldest first; new hits join the last one. */
  batches: Batch[];
  scheduled: boolean;
  /** Set while the oldest batch lingers: it pumps again when the batch may leave. */
  lingerTimer: NodeJS.Timeout | null;
  /** The broker did not take the last batch: spool directly until a replay gets through. */
  brokerDown: boolean;
  replaying: Promise<void> | null;
}

/**
 * Publishes hits to the region's `tracking.hit` topic (R-K5) and tells each request when its hit is durable:
 * acknowledged by Kafka (acks=all, idempotent producer of its own) or, when the broker is unreachable or slower
 * than SEND_TIMEOUT_MS, written and fsynced to the local spool. Spooled hits are replayed when the broker is back,
 * including those a previous process left behind, so no accepted hit is lost across a broker or process restart.
 *
 * Batching is group commit over PRODUCERS_PER_REGION producers: a batch leaves when it is full (BATCH_BYTES) or
 * LINGER_MS after its first hit, if a producer is idle. Under load full batches queue and leave together (up to
 * REQUEST_BYTES) and every producer has a request in flight; at low traffic a hit waits LINGER_MS and one round
 * trip. A resend after a timeout is harmless: the envelope id is the hit id, and the consumer dedupes on it (the
 * hits table is unique on it).
 */
@Injectable()
export class HitPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly lanes = new Map<Region, Lane>();
  private readonly retired: { producer: ResilientProducer; at: number }[] = [];
  private replayTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  constructor(
    private readonly config: MissiveConfig,
    private readonly kafka: KafkaClients,
    private readonly metrics: Metrics,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'hit-publisher' });
  }

  onModuleInit(): void {
    for (const region of this.config.regions) {
      const kafka = this.kafka.forRegion(region);
      this.lanes.set(region, {
        region,
        topic: topicName(region, TRACKING_HIT),
        kafka,
        producers: Array.from({ length: PRODUCERS_PER_REGION + 1 }, () => new ResilientProducer(kafka)),
        idle: Array.from({ length: PRODUCERS_PER_REGION }, (_, slot) => slot),
        // The spool has its own folder (SPOOL_DIR), outside the tenants' import folders; segments left at the
        // former place, among the tenant folders, are still adopted and replayed.
        spool: new HitSpool(join(this.config.spoolDir, region.toLowerCase(), 'tracking'), this.config.instanceId, [
          join(this.config.dataDir, region.toLowerCase(), 'spool', 'tracking'),
        ]),
        batches: [],
        scheduled: false,
        lingerTimer: null,
        brokerDown: false,
        replaying: null,
      });
    }
    // Hits a previous process spooled are replayed from the start, in the background (the broker may be away).
    this.replayTimer = setInterval(() => this.replayAll(), REPLAY_INTERVAL_MS);
    this.replayTimer.unref();
    this.replayAll();
  }

  /** Whether this instance publishes hits of the region. */
  serves(region: Region): boolean {
    return this.lanes.has(region);
  }

  /**
   * Queues one event envelope (already serialized, ids only) and resolves once it is durable. Never rejects: a
   * hit that neither Kafka nor the disk took resolves `lost` (logged and counted), and the request is answered.
   */
  publish(region: Region, key: string, value: string): Promise<HitOutcome> {
    const lane = this.lanes.get(region);
    if (!lane) return Promise.resolve('none');
    const batch = this.openBatch(lane);
    batch.messages.push({ key, value });
    batch.size += value.length;
    this.schedule(lane);
    return batch.done;
  }

  /**
   * Resolves with the next batch of the first region without adding to it, so a request with an invalid token
   * waits as long as a valid one (R-K2: the pixel's timing says nothing about the token).
   */
  decoy(): Promise<HitOutcome> {
    const lane = this.lanes.values().next().value;
    if (!lane) return Promise.resolve('none');
    const batch = this.openBatch(lane);
    this.schedule(lane);
    return batch.done.then(() => 'none');
  }

  private openBatch(lane: Lane): Batch {
    const last = lane.batches[lane.batches.length - 1];
    if (last && last.size < BATCH_BYTES) return last;
    let settle!: (outcome: HitOutcome) => void;
    const done = new Promise<HitOutcome>((resolve) => (settle = resolve));
    const batch: Batch = { openedAt: performance.now(), messages: [], size: 0, done, settle };
    lane.batches.push(batch);
    return batch;
  }

  private schedule(lane: Lane): void {
    if (lane.idle.length === 0 || lane.scheduled) return;
    lane.scheduled = true;
    setImmediate(() => {
      lane.scheduled = false;
      this.pump(lane);
    });
  }

  /** Hands the waiting batches, oldest first, to the idle producers; each finished request pumps again. */
  private pump(lane: Lane): void {
    while (lane.batches.length > 0 && lane.idle.length > 0) {
      const first = lane.batches[0];
      const wait = first.openedAt + LINGER_MS - performance.now();
      if (wait > 0 && first.size < BATCH_BYTES) {
        lane.lingerTimer ??= setTimeout(() => {
          lane.lingerTimer = null;
          this.pump(lane);
        }, wait);
        return;
      }
      // Full batches that queued while every producer was busy leave together, in one request.
      const taken = [lane.batches.shift()!];
      let size = taken[0].size;
      while (lane.batches.length > 0 && lane.batches[0].size >= BATCH_BYTES && size < REQUEST_BYTES) {
        size += lane.batches[0].size;
        taken.push(lane.batches.shift()!);
      }
      const messages = taken.length === 1 ? taken[0].messages : taken.flatMap((batch) => batch.messages);
      if (messages.length === 0) {
        taken[0].settle('none');
        continue;
      }
      const slot = lane.idle.pop()!;
      void this.deliver(lane, slot, messages).then((outcome) => {
        lane.idle.push(slot);
        for (const batch of taken) batch.settle(outcome);
        this.pump(lane);
      });
    }
  }

  private async deliver(lane: Lane, slot: number, messages: Message[]): Promise<HitOutcome> {
    if (!lane.brokerDown) {
      const error = await this.send(lane, slot, messages);
      this.metrics.trackingHitBatchSize.observe(messages.length);
      if (!error) {
        this.metrics.trackingHitsPublished.inc({ outcome: 'published' }, messages.length);
        return 'published';
      }
      lane.brokerDown = true;
      this.log.warn({ region: lane.region, err: error }, 'Kafka did not take tracking hits in time; spooling them');
    }
    try {
      await lane.spool.append(messages.map((m) => m.value as string));
      this.metrics.trackingHitsPublished.inc({ outcome: 'spooled' }, messages.length);
      return 'spooled';
    } catch (error) {
      this.metrics.trackingHitsPublished.inc({ outcome: 'lost' }, messages.length);
      this.log.error({ region: lane.region, err: error, hits: messages.length }, 'could not spool tracking hits');
      return 'lost';
    }
  }

  /** One produce request on the slot's producer, with a deadline; null when acknowledged, else the reason. */
  private async send(lane: Lane, slot: number, messages: Message[]): Promise<Error | null> {
    let timer: NodeJS.Timeout | undefined;
    const producer = lane.producers[slot];
    const timeout = new Promise<Error>((resolve) => {
      timer = setTimeout(() => resolve(new Error(`no acknowledgement within ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
    });
    const sent = producer.send(lane.topic, messages).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const result = await Promise.race([sent, timeout]);
    clearTimeout(timer);
    if (result && lane.producers[slot] === producer) {
      // A request that hangs keeps the producer's single in-flight slot (kafkajs#598 and plain broker loss):
      // start over with a new producer; the old one is closed once it settles.
      this.retired.push({ producer, at: Date.now() });
      lane.producers[slot] = new ResilientProducer(lane.kafka);
      void sent.finally(() => producer.close());
    }
    return result;
  }

  private replayAll(): void {
    for (const lane of this.lanes.values()) {
      lane.replaying ??= this.replay(lane)
        .catch((error: unknown) => this.log.warn({ region: lane.region, err: error }, 'spool replay failed'))
        .finally(() => {
          lane.replaying = null;
        });
    }
    const now = Date.now();
    while (this.retired.length > 0 && now - this.retired[0].at > 60000) {
      void this.retired.shift()!.producer.close();
    }
  }

  /** Sends the closed spool segments oldest first and deletes each once Kafka acknowledged all of it. */
  private async replay(lane: Lane): Promise<void> {
    if (lane.brokerDown) await lane.spool.closeCurrent();
    for (const path of await lane.spool.closedSegments()) {
      const messages: Message[] = [];
      for (const line of await lane.spool.read(path)) {
        const key = campaignKey(line);
        if (key !== null) messages.push({ key, value: line });
      }
      for (let i = 0; i < messages.length; i += REPLAY_CHUNK) {
        const error = await this.send(lane, REPLAY_SLOT, messages.slice(i, i + REPLAY_CHUNK));
        if (error) {
          lane.brokerDown = true;
          return;
        }
      }
      await lane.spool.remove(path);
      this.metrics.trackingHitsPublished.inc({ outcome: 'replayed' }, messages.length);
      this.log.info({ region: lane.region, hits: messages.length }, 'replayed spooled tracking hits');
    }
    if (lane.brokerDown && (await lane.spool.closedSegments()).length === 0) {
      lane.brokerDown = false;
      this.log.info({ region: lane.region }, 'Kafka takes tracking hits again');
    }
  }

  /** Answers the requests still waiting, then stops: what Kafka does not take now stays spooled for next time. */
  async onApplicationShutdown(): Promise<void> {
    if (this.replayTimer) clearInterval(this.replayTimer);
    this.replayTimer = null;
    for (const lane of this.lanes.values()) {
      while (lane.batches.length > 0 || lane.idle.length < PRODUCERS_PER_REGION) {
        this.pump(lane);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await lane.replaying;
      await lane.spool.close();
      await Promise.all(lane.producers.map((producer) => producer.close()));
    }
    await Promise.all(this.retired.splice(0).map((r) => r.producer.close()));
  }
}

/** The Kafka key of a spooled envelope (its campaign id), or null for a line that is not one. */
function campaignKey(line: string): string | null {
  try {
    const envelope = JSON.parse(line) as { id?: unknown; data?: { campaignId?: unknown } };
    return typeof envelope.id === 'string' && typeof envelope.data?.campaignId === 'string'
      ? envelope.data.campaignId
      : null;
  } catch {
    return null;
  }
}
