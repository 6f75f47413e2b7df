import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry (R-X3). Metrics are declared here, by name, so dashboards and alerts have
 * one place to look; services record into them.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'missive_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status', 'listener'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly outboxPublished = new Counter({
    name: 'missive_outbox_published_total',
    help: 'Events relayed from an outbox to Kafka',
    labelNames: ['database'],
    registers: [this.registry],
  });

  readonly outboxBacklog = new Gauge({
    name: 'missive_outbox_backlog',
    help: 'Rows waiting in an outbox at the last relay pass',
    labelNames: ['database'],
    registers: [this.registry],
  });

  readonly outboxRelayErrors = new Counter({
    name: 'missive_outbox_relay_errors_total',
    help: 'Failed relay passes (the relay retries them)',
    labelNames: ['database'],
    registers: [this.registry],
  });

  readonly eventsConsumed = new Counter({
    name: 'missive_events_consumed_total',
    help: 'Events handled by a consumer (duplicates excluded)',
    labelNames: ['consumer', 'event'],
    registers: [this.registry],
  });

  readonly eventsDuplicate = new Counter({
    name: 'missive_events_duplicate_total',
    help: 'Redelivered events skipped by a consumer inbox',
    labelNames: ['consumer', 'event'],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'missive_kafka_consumer_lag',
    help: 'Messages behind the high watermark in the last fetched batch',
    labelNames: ['consumer', 'topic', 'partition'],
    registers: [this.registry],
  });

  readonly trackingHitsPublished = new Counter({
    name: 'missive_tracking_hits_total',
    help: 'Tracking hits by how they were made durable: published, spooled (broker away), replayed, lost',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  readonly trackingInvalidTokens = new Counter({
    name: 'missive_tracking_invalid_tokens_total',
    help: 'Link-host requests whose token did not verify (or named no known link), not recorded',
    labelNames: ['route'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'missive_' });
  }
}
