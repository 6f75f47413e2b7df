import { CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { MissiveConfig } from '@missive/config';
import { eventDataViolation, parseTopic, topicName, type EventEnvelope, type Region } from '@missive/contracts';
import type { Databases } from '@missive/database';
import type { Logger, Metrics } from '@missive/observability';
import { PATTERN_SEPARATOR, type ConsumeOptions, type EventBatch } from './consume-events.decorator';
import { eventRegionVerdict } from './event-region.rules';
import { isEventEnvelope } from './event-envelope.rules';
import { droppedForPurgedTenant, type PurgedTenants } from './purged-tenants';
import type { KafkaClients } from './kafka-clients';

interface Subscription {
  consumer: string;
  eventType: string;
  options: Required<ConsumeOptions>;
  handler: MessageHandler;
}

export interface KafkaEventServerDeps {
  config: MissiveConfig;
  databases: Databases;
  kafka: KafkaClients;
  logger: Logger;
  metrics: Metrics;
  /** Consumer-group prefix; tests isolate themselves with their own. */
  groupPrefix?: string;
  /**
   * Start every (new) group at the topics' ends as they are just before it joins, instead of the oldest retained
   * event. Tests use it so a fresh group does not replay the whole retained history; events published after the
   * consumers started are never missed (the start offsets are taken before the join, then sought to).
   */
  startAtLatest?: boolean;
  /** Which tenants are purged (R-P6): their events are dropped before any handler. Absent: nothing is dropped. */
  purgedTenants?: PurgedTenants;
}

/** Events handled in one inbox transaction at most; bounds the transaction and the heartbeat interval. */
const CHUNK = 500;
/**
 * The same for consumers that ask for batching (ConsumeOptions.batchWaitMs): a whole fetch in one call. A fetch
 * holds at most 1 MB of a partition (kafkajs' maxBytesPerPartition), some 2,600 tracking hits; this only bounds it.
 */
const BATCHED_CHUNK = 5000;
const JOIN_TIMEOUT_MS = 30000;
/**
 * What a fetch waits to gather for consumers that ask for batching: a full fetch (1 MB, the most kafkajs takes of
 * one partition), so a busy consumer commits and runs a transaction a few times a second, not dozens
 * (docs/benchmarks.md, tuning).
 */
const BATCH_MIN_BYTES = 1024 * 1024;

/**
 * A Nest microservice transport over kafkajs, built for Missive's guarantees: handlers declared with
 * @ConsumeEvents, one consumer group per logical consumer and region, batches processed in order, and — with
 * the inbox on — the processed event ids written in the same PostgreSQL transaction as the handler's effect, so
 * redelivery after a rebalance or crash has exactly one effect (R-X5). Offsets are committed only after the
 * transaction commits; a failing batch is retried, never skipped. Graceful close stops fetching first (R-X4).
 */
export class KafkaEventServer extends Server implements CustomTransportStrategy {
  private readonly consumers: Consumer[] = [];
  /** Set by close(): a consumer that crashed while its process stops must not restart itself behind it. */
  private closing = false;
  private readonly log: Logger;

  constructor(private readonly deps: KafkaEventServerDeps) {
    super();
    this.log = deps.logger.child({ component: 'kafka-event-server' });
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.startConsumers();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private subscriptions(): Subscription[] {
    const subs: Subscription[] = [];
    for (const [pattern, first] of this.messageHandlers) {
      const [consumer, eventType] = pattern.split(PATTERN_SEPARATOR);
      if (!consumer || !eventType) continue;
      for (
        let handler: MessageHandler | undefined = first;
        handler;
        handler = handler.next as MessageHandler | undefined
      ) {
        const extras = (handler.extras ?? {}) as ConsumeOptions;
        subs.push({
          consumer,
          eventType,
          handler,
          options: {
            inbox: extras.inbox ?? true,
            broadcast: extras.broadcast ?? false,
            fromBeginning: extras.fromBeginning ?? true,
            batchWaitMs: extras.batchWaitMs ?? 0,
          },
        });
      }
    }
    return subs;
  }

  private async startConsumers(): Promise<void> {
    const byConsumer = new Map<string, Subscription[]>();
    for (const sub of this.subscriptions())
      byConsumer.set(sub.consumer, [...(byConsumer.get(sub.consumer) ?? []), sub]);
    const joins: Promise<void>[] = [];
    for (const [name, subs] of byConsumer) {
      for (const region of this.deps.config.regions) joins.push(this.startConsumer(name, region, subs));
    }
    await Promise.all(joins);
  }

  private async startConsumer(name: string, region: Region, subs: Subscription[]): Promise<void> {
    const broadcast = subs.some((s) => s.options.broadcast);
    const prefix = this.deps.groupPrefix ?? 'missive';
    const groupId = broadcast ? `${prefix}.${name}.${this.deps.config.instanceId}` : `${prefix}.${name}`;
    const batchWaitMs = Math.max(...subs.map((s) => s.options.batchWaitMs));
    const consumer = this.deps.kafka.forRegion(region).consumer({
      ...(batchWaitMs > 0 ? { minBytes: BATCH_MIN_BYTES, maxWaitTimeInMs: batchWaitMs } : {}),
      groupId: `${groupId}.${region.toLowerCase()}`,
      allowAutoTopicCreation: false,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      retry: {
        retries: 10,
        initialRetryTime: 300,
        maxRetryTime: 10000,
        restartOnFailure: async () => !this.closing,
      },
    });
    this.consumers.push(consumer);
    // kafkajs may restart a consumer that crashed just before close() on a timer of its own: stop it again.
    consumer.on(consumer.events.CONNECT, () => {
      if (this.closing) void consumer.disconnect().catch(() => undefined);
    });
    const joined = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.log.warn({ groupId }, 'consumer group join is slow; continuing in the background');
        resolve();
      }, JOIN_TIMEOUT_MS);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await consumer.connect();
    const handlers = new Map(subs.map((s) => [topicName(region, s.eventType), s]));
    const startOffsets = this.deps.startAtLatest ? await this.endOffsets(region, [...handlers.keys()]) : [];
    await consumer.subscribe({
      topics: [...handlers.keys()],
      fromBeginning: subs.every((s) => s.options.fromBeginning),
    });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.handleBatch(name, region, handlers, payload),
    });
    for (const offset of startOffsets) consumer.seek(offset);
    await joined;
  }

  /** The topics' current ends; retried, since a just-created topic may not have a leader yet. */
  private async endOffsets(
    region: Region,
    topics: string[],
  ): Promise<{ topic: string; partition: number; offset: string }[]> {
    const admin = this.deps.kafka.forRegion(region).admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const all = await Promise.all(
            topics.map(async (topic) =>
              (await admin.fetchTopicOffsets(topic)).map((p) => ({ topic, partition: p.partition, offset: p.high })),
            ),
          );
          return all.flat();
        } catch (error) {
          if (attempt >= 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async handleBatch(
    name: string,
    region: Region,
    handlers: Map<string, Subscription>,
    payload: EachBatchPayload,
  ): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const sub = handlers.get(batch.topic);
    const event = parseTopic(batch.topic)?.event ?? batch.topic;
    const lag = Number(batch.highWatermark) - Number(batch.lastOffset()) - 1;
    this.deps.metrics.consumerLag.set(
      { consumer: name, topic: batch.topic, partition: String(batch.partition) },
      Math.max(lag, 0),
    );
    const chunkSize = sub && sub.options.batchWaitMs > 0 ? BATCHED_CHUNK : CHUNK;
    for (let i = 0; i < batch.messages.length; i += chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + chunkSize);
      if (sub) await this.deliver(name, region, batch.topic, event, sub, chunk);
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  private async deliver(
    name: string,
    region: Region,
    topic: string,
    event: string,
    sub: Subscription,
    messages: KafkaMessage[],
  ): Promise<void> {
    const envelopes: EventEnvelope[] = [];
    for (const message of messages) {
      let decoded: unknown;
      try {
        decoded = JSON.parse(message.value?.toString('utf8') ?? 'null');
      } catch {
        decoded = undefined;
      }
      if (isEventEnvelope(decoded)) {
        envelopes.push(decoded);
      } else {
        this.deps.metrics.kafkaEventsDropped.inc({ consumer: name, topic, reason: 'malformed' });
        this.log.error(
          { consumer: name, topic, offset: message.offset },
          'skipping a message that is not an event envelope',
        );
      }
    }
    const valid = await this.ofLiveTenants(
      name,
      topic,
      event,
      this.ofRegion(name, region, topic, this.ofContract(name, topic, event, envelopes)),
    );
    if (valid.length === 0) return;
    if (!sub.options.inbox) {
      await this.invoke(sub.handler, { region, events: valid });
      this.deps.metrics.eventsConsumed.inc({ consumer: name, event }, valid.length);
      return;
    }
    await this.deps.databases.forRegion(region).transaction(async (manager) => {
      const rows: { event_id: string }[] = await manager.query(
        `INSERT INTO processed_events (consumer, event_id)
         SELECT $1, id FROM unnest($2::uuid[]) AS id
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [name, valid.map((e) => e.id)],
      );
      const fresh = new Set(rows.map((r) => r.event_id));
      // Keep the first occurrence only: the same event twice in one batch is still one effect.
      const seen = new Set<string>();
      const events = valid.filter((e) => fresh.has(e.id) && !seen.has(e.id) && seen.add(e.id));
      if (valid.length > events.length)
        this.deps.metrics.eventsDuplicate.inc({ consumer: name, event }, valid.length - events.length);
      if (events.length === 0) return;
      await this.invoke(sub.handler, { region, events, manager });
      this.deps.metrics.eventsConsumed.inc({ consumer: name, event }, events.length);
    });
  }

  /**
   * R-X5, R-X6: the envelopes whose `data` conforms to the schema of their version, for the topic's event type and
   * for the type the envelope names if it names another. A producer's bug or a forged message with a valid envelope
   * would otherwise reach the handler, fail its batch on every retry or write garbage. The others are dropped,
   * counted and logged by id, type, version and the failing field's path, never its value (it may be personal).
   * A type or version without a schema passes, as before.
   */
  private ofContract(name: string, topic: string, event: string, envelopes: EventEnvelope[]): EventEnvelope[] {
    const kept: EventEnvelope[] = [];
    const dropped: { eventId: string; type: string; version: number; field: string }[] = [];
    for (const envelope of envelopes) {
      const { type, version, data } = envelope;
      const field =
        eventDataViolation(event, version, data) ?? (type === event ? null : eventDataViolation(type, version, data));
      if (field === null) kept.push(envelope);
      else dropped.push({ eventId: envelope.id, type: type.slice(0, 100), version, field });
    }
    if (dropped.length > 0) {
      this.deps.metrics.kafkaEventsDropped.inc({ consumer: name, topic, reason: 'contract' }, dropped.length);
      this.log.error(
        { consumer: name, topic, dropped: dropped.length, events: dropped.slice(0, 10) },
        'dropping events whose data breaks their contract',
      );
    }
    return kept;
  }

  /** The envelopes of the topic's region; the others are dropped, counted and logged by id (R-T2). */
  private ofRegion(name: string, region: Region, topic: string, envelopes: EventEnvelope[]): EventEnvelope[] {
    const kept: EventEnvelope[] = [];
    const dropped: string[] = [];
    for (const envelope of envelopes) {
      if (eventRegionVerdict(region, envelope).accept) kept.push(envelope);
      else dropped.push(envelope.id);
    }
    if (dropped.length > 0) {
      this.deps.metrics.kafkaEventsDropped.inc({ consumer: name, topic, reason: 'region_mismatch' }, dropped.length);
      this.log.warn(
        { consumer: name, topic, dropped: dropped.length, eventIds: dropped.slice(0, 10) },
        "dropping events whose region is not the topic's",
      );
    }
    return kept;
  }

  /**
   * R-P6: the envelopes whose tenant is not purged. A late event of a purged tenant (a hit, an opt-out, a contact
   * change) would recreate rows the certificate says are gone. If the directory cannot be asked, nothing is dropped
   * here: the purge's re-check sweep removes whatever comes back.
   */
  private async ofLiveTenants(
    name: string,
    topic: string,
    event: string,
    envelopes: EventEnvelope[],
  ): Promise<EventEnvelope[]> {
    const directory = this.deps.purgedTenants;
    if (!directory || envelopes.length === 0 || !droppedForPurgedTenant(event)) return envelopes;
    const tenants = envelopes.flatMap((e) => (typeof e.tenantId === 'string' ? [e.tenantId] : []));
    let purged: Set<string>;
    try {
      purged = await directory.purgedAmong(tenants);
    } catch (error) {
      this.log.warn({ err: error, consumer: name, topic }, 'could not ask the tenant directory for purged tenants');
      return envelopes;
    }
    if (purged.size === 0) return envelopes;
    const kept = envelopes.filter((e) => !(e.tenantId && purged.has(e.tenantId)));
    this.deps.metrics.kafkaEventsDropped.inc(
      { consumer: name, topic, reason: 'tenant_purged' },
      envelopes.length - kept.length,
    );
    return kept;
  }

  private async invoke(handler: MessageHandler, batch: EventBatch): Promise<void> {
    await lastValueFrom(this.transformToObservable(await handler(batch)), { defaultValue: undefined });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.length = 0;
  }

  on(): void {
    // kafkajs instrumentation events are consumed internally; nothing to register from outside.
  }

  unwrap<T>(): T {
    return this.consumers as unknown as T;
  }
}
