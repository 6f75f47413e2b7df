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

  readonly kafkaEventsDropped = new Counter({
    name: 'missive_kafka_events_dropped_total',
    help: "Events a consumer dropped unhandled, by reason (region_mismatch: the envelope's region is not the topic's, R-T2; tenant_purged, R-P6; malformed: not an event envelope; contract: data breaks its type's schema, R-X5)",
    labelNames: ['consumer', 'topic', 'reason'],
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

  readonly providerHookEvents = new Counter({
    name: 'missive_provider_hook_events_total',
    help: 'Provider webhook events (R-S8) by provider and what became of them: recorded, duplicate, unattributed (no token of ours, acknowledged), ignored (not a bounce or complaint), rejected (bad signature), subscription',
    labelNames: ['provider', 'result'],
    registers: [this.registry],
  });

  readonly trackingHitBatchSize = new Histogram({
    name: 'missive_tracking_hit_batch_size',
    help: 'Hits per produce request of the link host: the broker works per request, so larger batches cost it less per hit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers: [this.registry],
  });

  readonly trackingInvalidTokens = new Counter({
    name: 'missive_tracking_invalid_tokens_total',
    help: 'Link-host requests whose token did not verify (or named no known link), not recorded',
    labelNames: ['route'],
    registers: [this.registry],
  });

  /**
   * Recipient-route requests (`/t/o`, `/t/c`, `/u`) by the limiter's verdict (R-X6): `record`, `replay` (the same
   * open or click within the replay window), `limited` (over the per-IP or per-token rate), `unchecked` (Redis did
   * not answer in time; recorded, as no hit may be lost), `invalid` (a token that did not verify: only its IP counts).
   */
  readonly recipientRequests = new Counter({
    name: 'missive_recipient_requests_total',
    help: 'Recipient-route requests by route and limiter verdict: record, replay, limited, unchecked, invalid',
    labelNames: ['route', 'verdict'],
    registers: [this.registry],
  });

  /**
   * API-key lookups in the global directory, by answer (`known`, `unknown`): a key the in-process caches did not
   * answer. R-X6: an unknown key costs one at most, so a flood of made-up keys shows here as a bounded count.
   */
  readonly apiKeyLookups = new Counter({
    name: 'missive_api_key_lookups_total',
    help: 'API keys looked up in the global directory (not answered by a cache), by result: known, unknown',
    labelNames: ['result'],
    registers: [this.registry],
  });

  // --- Issue 10: what deploy/observability (dashboard, alerts) reads. Declared here; recorded where noted. -------

  /** Campaign messages by final outcome (the report's sent/failed/bounced/unknown); recorded by apps/campaigns. */
  readonly campaignMessages = new Counter({
    name: 'missive_campaign_messages_total',
    help: 'Campaign messages by final outcome: sent, failed, bounced, unknown',
    labelNames: ['region', 'outcome'],
    registers: [this.registry],
  });

  /** Recipients a campaign did not send to, by reason (the report's `skipped`); recorded by apps/campaigns. */
  readonly campaignSkips = new Counter({
    name: 'missive_campaign_skips_total',
    help: "Campaign recipients skipped, by reason (the report's skipped)",
    labelNames: ['region', 'reason'],
    registers: [this.registry],
  });

  /**
   * Messages the relay itself refused (unreachable, credentials, sender policy, relaying denied, R-S5): each pauses
   * its campaign, nobody is suppressed; recorded by apps/campaigns. Alerted on in deploy/observability.
   */
  readonly smtpRelayFailures = new Counter({
    name: 'missive_smtp_relay_failures_total',
    help: 'Campaign messages refused by the SMTP relay itself (connection, AUTH, MAIL FROM, relaying); each pauses its campaign',
    labelNames: ['region'],
    registers: [this.registry],
  });

  /** Opt-outs stored, by channel (the unsubscribe.recorded source: one-click, page, mailto, …); recorded by apps/unsubscribe. */
  readonly unsubscribesRecorded = new Counter({
    name: 'missive_unsubscribes_total',
    help: 'Opt-outs stored, by channel (source): one-click, page, mailto, preferences, objection',
    labelNames: ['region', 'channel'],
    registers: [this.registry],
  });

  /**
   * From an opt-out being recorded (the unsubscribe.recorded event's occurredAt) to a consumer having applied it
   * (the promise: under a second). Observed by each consumer of the event, labelled with its name.
   */
  readonly unsubscribePropagation = new Histogram({
    name: 'missive_unsubscribe_propagation_seconds',
    help: 'Seconds from an opt-out being recorded to a consumer having applied it',
    labelNames: ['consumer', 'region'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** Job attempts that threw, per queue (`final` = no attempts left); recorded by the BullMQ workers in apps/. */
  readonly queueJobFailures = new Counter({
    name: 'missive_bullmq_job_failures_total',
    help: 'BullMQ job attempts that failed, per queue; final="true" when no attempt is left',
    labelNames: ['region', 'queue', 'final'],
    registers: [this.registry],
  });

  /**
   * Sources of the store-derived gauges below, read at scrape time (prom-client `collect`), so nothing polls a
   * store while nobody scrapes. Set by libs/platform/src/store-metrics.ts; on a bare `Metrics` they stay empty.
   */
  readonly scrapeSources: {
    queues?: () => Promise<void>;
    purges?: () => Promise<void>;
    privacyRequests?: () => Promise<void>;
    deliverability?: () => Promise<void>;
  } = {};

  readonly queueJobs = new Gauge({
    name: 'missive_bullmq_queue_jobs',
    help: "Jobs in a BullMQ queue by state (waiting, active, delayed, prioritized, waiting-children, paused, failed), read from the region's Redis at scrape time",
    labelNames: ['region', 'queue', 'state'],
    registers: [this.registry],
    collect: () => this.scrapeSources.queues?.(),
  });

  /** Tenants whose purge is due (`purge_due_at <= now()`) and not finished; from the global tenants table. */
  readonly purgesDue = new Gauge({
    name: 'missive_tenant_purges_due',
    help: 'Tenants whose purge is due and not finished (legal_hold="true": waiting on a legal hold, R-P5)',
    labelNames: ['region', 'legal_hold'],
    registers: [this.registry],
    collect: () => this.scrapeSources.purges?.(),
  });

  /** Due more than an hour ago and still not purged: R-P3 broken unless a legal hold explains it. */
  readonly purgesOverdue = new Gauge({
    name: 'missive_tenant_purges_overdue',
    help: 'Tenants whose purge was due over an hour ago and is not finished (R-P3); legal_hold="true" waits lawfully',
    labelNames: ['region', 'legal_hold'],
    registers: [this.registry],
    collect: () => this.scrapeSources.purges?.(),
  });

  /** R-D3: data-subject requests still pending past their due date (R-D1), per region; from the regional databases. */
  readonly privacyRequestsOverdue = new Gauge({
    name: 'missive_privacy_requests_overdue',
    help: 'Data-subject requests still pending after their due date (R-D1, R-D3), per region',
    labelNames: ['region'],
    registers: [this.registry],
    collect: () => this.scrapeSources.privacyRequests?.(),
  });

  /**
   * R-S8: each tenant's complaints per delivered message over the last 7 days, set by the campaigns service from
   * its regional database (at most once a minute); only tenants that sent in the window. Label: the tenant id only.
   */
  readonly tenantComplaintRate7d = new Gauge({
    name: 'missive_tenant_complaint_rate_7d',
    help: "A tenant's complaints per delivered campaign message over the last 7 days (R-S8)",
    labelNames: ['tenant'],
    registers: [this.registry],
    collect: () => this.scrapeSources.deliverability?.(),
  });

  /** R-S8: each tenant's bounces per message sent over the last 7 days (relay refusals and later hard bounces). */
  readonly tenantBounceRate7d = new Gauge({
    name: 'missive_tenant_bounce_rate_7d',
    help: "A tenant's bounced campaign messages per message sent over the last 7 days (R-S8)",
    labelNames: ['tenant'],
    registers: [this.registry],
    collect: () => this.scrapeSources.deliverability?.(),
  });

  /**
   * 1 when the last scrape-time read of a store (`source`: bullmq, purges, privacy_requests) worked, 0 when it failed
   * or timed out.
   */
  readonly storeMetricsUp = new Gauge({
    name: 'missive_store_metrics_up',
    help: 'Whether the last scrape-time read of a store for metrics succeeded (1) or not (0)',
    labelNames: ['source'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'missive_' });
  }
}
