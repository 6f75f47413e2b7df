import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Metrics } from '@missive/observability';
import { knownQueues, QUEUE_STATES } from '../../libs/platform/src/store-metrics';
import { IMPORT_QUEUE, importQueuePrefix } from '../../apps/contacts/src/imports/import-queues';
import { queuePrefix, SEND_QUEUE } from '../../apps/campaigns/src/sending/send-queue';
import { WEBHOOK_QUEUE, webhookQueuePrefix } from '../../apps/contacts/src/webhooks/webhook-queues';

/**
 * The dashboard and the alert rules name only metrics that /metrics serves (the Metrics registry of
 * libs/observability; a histogram's _bucket/_sum/_count map to its name), filter only on labels those metrics
 * have (plus the ones the scrape adds), and the rules are well formed. No Prometheus needed.
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DIR = __dirname;
const dashboard = JSON.parse(readFileSync(join(DIR, 'missive-dashboard.json'), 'utf8')) as Obj;
const alerts = parse(readFileSync(join(DIR, 'missive-alerts.yaml'), 'utf8')) as Obj;

/** Labels Prometheus itself attaches to every scraped series (target labels), and `le` of histogram buckets. */
const SCRAPE_LABELS = new Set(['namespace', 'pod', 'instance', 'job', 'container', 'service']);

const PROMQL_WORDS = new Set(
  [
    // aggregations and their modifiers
    'sum min max avg group stddev stdvar count count_values bottomk topk quantile',
    'by without on ignoring group_left group_right bool and or unless offset',
    // functions used or likely
    'rate irate increase delta idelta deriv histogram_quantile abs absent absent_over_time ceil floor round clamp',
    'clamp_min clamp_max label_replace label_join time timestamp vector scalar sort sort_desc',
    'avg_over_time min_over_time max_over_time sum_over_time count_over_time last_over_time changes resets',
    'label_values inf nan',
  ]
    .join(' ')
    .split(' '),
);

interface Selector {
  metric: string;
  labels: { name: string; op: string; value: string }[];
}

/** The metric selectors of a PromQL expression (Grafana variables removed first). */
function selectors(expr: string): Selector[] {
  const text = expr
    .replace(/\$\{[^}]*\}|\$\w+/g, '1m') // $__rate_interval, ${datasource}
    .replace(/\{\{[^}]*\}\}/g, ''); // legend templates (not in exprs, but harmless)
  const found: Selector[] = [];
  // Drop ranges/durations and the label lists of by/without/on/ignoring/group_x, then read identifiers.
  const stripped = text
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const re = /([a-zA-Z_:][\w:]*)\s*(\{([^}]*)\})?|\{([^}]*)\}|"(?:[^"\\]|\\.)*"|\d+(\.\d+)?/g;
  for (const m of stripped.matchAll(re)) {
    const name = m[1];
    if (!name) {
      if (m[4] !== undefined) throw new Error(`selector without a metric name in: ${expr}`);
      continue;
    }
    if (PROMQL_WORDS.has(name) && !m[2]) continue;
    const labels = [...(m[3] ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map((l) => ({
      name: l[1],
      op: l[2],
      value: l[3],
    }));
    found.push({ metric: name, labels });
  }
  return found;
}

function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

function dashboardExprs(): string[] {
  const panels = (dashboard.panels as Obj[]).flatMap((p) => [p, ...(p.panels ?? [])]);
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t: Obj) => t.expr as string));
  for (const v of dashboard.templating.list as Obj[]) {
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    if (v.type === 'query' && query) exprs.push(query.replace(/^label_values\(([^,]+),.*\)$/, '$1'));
  }
  return exprs;
}

const alertRules = (): Obj[] => (alerts.groups as Obj[]).flatMap((g) => g.rules as Obj[]);

describe('deploy/observability', () => {
  let declared: Map<string, { type: string; labels: string[] }>;

  beforeAll(async () => {
    const metrics = new Metrics();
    declared = new Map();
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      const metric = metrics.registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] };
      declared.set(m.name, { type: String(m.type), labels: metric.labelNames ?? [] });
    }
  });

  /** The declared metric a series name belongs to, or null. */
  function resolve(series: string): { name: string; type: string; labels: string[] } | null {
    const exact = declared.get(series);
    if (exact) return { name: series, ...exact };
    const base = series.replace(/_(bucket|sum|count)$/, '');
    const histogram = declared.get(base);
    if (base !== series && histogram?.type === 'histogram') {
      return {
        name: base,
        ...histogram,
        labels: series.endsWith('_bucket') ? [...histogram.labels, 'le'] : histogram.labels,
      };
    }
    return null;
  }

  function check(exprs: string[], where: string): Set<string> {
    const used = new Set<string>();
    const problems: string[] = [];
    for (const expr of exprs) {
      expect({ where, expr, balanced: balanced(expr) }).toEqual({ where, expr, balanced: true });
      const found = selectors(expr);
      if (found.length === 0) problems.push(`${where}: no metric in ${expr}`);
      for (const s of found) {
        const metric = resolve(s.metric);
        if (!metric) {
          problems.push(`${where}: ${s.metric} is not declared in libs/observability/src/metrics.ts`);
          continue;
        }
        used.add(metric.name);
        for (const l of s.labels) {
          if (!metric.labels.includes(l.name) && !SCRAPE_LABELS.has(l.name)) {
            problems.push(`${where}: ${s.metric} has no label ${l.name}`);
          }
          if (metric.name === 'missive_bullmq_queue_jobs' && l.name === 'state') {
            const states = l.op === '=~' ? l.value.split('|') : [l.value];
            for (const state of states) {
              if (!(QUEUE_STATES as readonly string[]).includes(state))
                problems.push(`${where}: no queue state ${state}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
    return used;
  }

  const REQUIRED = [
    'missive_http_request_duration_seconds', // request rate and p99 per route
    'missive_campaign_messages_total', // send rate
    'missive_campaign_skips_total', // skips by reason
    'missive_kafka_consumer_lag',
    'missive_outbox_backlog',
    'missive_bullmq_queue_jobs', // queue depth (and jobs resting in the failed set)
    'missive_bullmq_job_failures_total',
    'missive_unsubscribe_propagation_seconds',
    'missive_tenant_purges_due',
    'missive_tenant_purges_overdue',
    'missive_privacy_requests_overdue', // R-D3: referred requests past their due date
  ];

  it('reads the metric names off the registry, histograms included', () => {
    expect(resolve('missive_http_request_duration_seconds_bucket')?.name).toBe('missive_http_request_duration_seconds');
    expect(resolve('missive_outbox_backlog_count')).toBeNull();
    expect(resolve('missive_nope')).toBeNull();
    expect(selectors('sum by (route, le) (rate(missive_x_bucket{a="1", b=~"x|y"}[5m])) > 0.5')).toEqual([
      {
        metric: 'missive_x_bucket',
        labels: [
          { name: 'a', op: '=', value: '1' },
          { name: 'b', op: '=~', value: 'x|y' },
        ],
      },
    ]);
  });

  it('dashboard: valid panels, every metric declared, with the labels it filters on, covering every topic', () => {
    expect(dashboard.uid).toBeTruthy();
    const panels = dashboard.panels as Obj[];
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect({ title: panel.title, targets: panel.targets?.length > 0 }).toEqual({ title: panel.title, targets: true });
      for (const t of panel.targets) expect(typeof t.expr).toBe('string');
    }
    const used = check(dashboardExprs(), 'dashboard');
    expect(REQUIRED.filter((name) => !used.has(name))).toEqual([]);
  });

  it('alert rules: each has expr, for, a severity and a summary; every metric declared; every topic covered', () => {
    expect(Array.isArray(alerts.groups)).toBe(true);
    const rules = alertRules();
    expect(rules.length).toBeGreaterThan(0);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect(rule).toEqual(
        expect.objectContaining({
          alert: expect.stringMatching(/^Missive[A-Za-z]+$/),
          expr: expect.stringMatching(/\S/),
          for: expect.stringMatching(/^\d+[smhd]$/),
          labels: expect.objectContaining({ severity: expect.stringMatching(/^(warning|critical)$/) }),
          annotations: expect.objectContaining({ summary: expect.stringMatching(/\S/) }),
        }),
      );
    }
    const used = check(
      rules.map((r) => r.expr as string),
      'alerts',
    );
    // Skips are the product working (suppressed, unsubscribed…): charted, not alerted on.
    expect(REQUIRED.filter((name) => name !== 'missive_campaign_skips_total' && !used.has(name))).toEqual([]);
  });

  it('the store-derived queue gauge covers the queues the apps run, under their key prefixes', () => {
    for (const [region, namespace] of [
      ['NA', null],
      ['EEA', 'ns1'],
    ] as const) {
      expect(knownQueues(region, namespace)).toEqual(
        expect.arrayContaining([
          { name: IMPORT_QUEUE, prefix: importQueuePrefix(region, namespace) },
          { name: SEND_QUEUE, prefix: queuePrefix(region, namespace) },
          { name: WEBHOOK_QUEUE, prefix: webhookQueuePrefix(region, namespace) },
        ]),
      );
    }
  });
});
