import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import {
  createScratchDatabases,
  http,
  startTestServices,
  waitFor,
  type ScratchDatabases,
  type TestServices,
} from '@missive/testing';
import { startLocalBroker, stopLocalBroker } from '../../../deploy/local/kafka-broker';

/** A broker of this test's own (and scratch databases, so its relays carry no other test's outbox). */
const PORT = 19094;

@Module({})
class NothingModule {}

describe('R-X3: /health and /ready on every listener', () => {
  const uid = randomUUID().slice(0, 8);
  let scratch: ScratchDatabases;
  let services: TestServices;
  /** A process whose only service tolerates losing Kafka (as the tracking link host does). */
  let edge: TestServices;

  beforeAll(async () => {
    await startLocalBroker(PORT, { fresh: true });
    scratch = await createScratchDatabases(uid);
    services = await startTestServices(
      [{ name: 'ops', publicModules: [NothingModule], supportModules: [NothingModule] }],
      {
        ...scratch.env,
        KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      },
    );
    edge = await startTestServices([{ name: 'edge', publicModules: [NothingModule], readinessTolerates: ['kafka'] }], {
      ...scratch.env,
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
    });
  }, 120000);

  afterAll(async () => {
    await services?.stop();
    await edge?.stop();
    await stopLocalBroker(PORT);
    await scratch?.drop();
  }, 60000);

  it('R-X3: both listeners answer /health, /ready, /metrics and /docs', async () => {
    for (const base of [services.publicUrl, services.supportUrl]) {
      expect((await http('GET', `${base}/health`)).status).toBe(200);
      const ready = await http('GET', `${base}/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.info).toEqual({ postgres: { status: 'up' }, redis: { status: 'up' }, kafka: { status: 'up' } });
      const metrics = await http('GET', `${base}/metrics`);
      expect(metrics.text).toContain('missive_http_request_duration_seconds');
      expect((await http('GET', `${base}/docs-json`)).body.openapi).toMatch(/^3\./);
    }
  });

  it('R-X3, R-K5: /ready answers 503 naming Kafka while the broker is down (200 but degraded where every service tolerates it), and 200 again after it returns', async () => {
    await stopLocalBroker(PORT);
    const down = await waitFor(
      async () => {
        const r = await http('GET', `${services.publicUrl}/ready`);
        return r.status === 503 ? r : null;
      },
      { what: '/ready to report the broker down', timeoutMs: 20000 },
    );
    expect(Object.keys(down.body.error)).toEqual(['kafka']);
    expect(down.body.error.kafka.status).toBe('down');
    expect((await http('GET', `${services.publicUrl}/health`)).status).toBe(200);
    // A process whose services all ride out the broker's absence stays in rotation and says it is degraded.
    const degraded = await http('GET', `${edge.publicUrl}/ready`);
    expect(degraded.status).toBe(200);
    expect(degraded.body.info.kafka).toMatchObject({ status: 'up', degraded: true });
    expect(degraded.body.info.kafka.message).toMatch(/Kafka/);

    await startLocalBroker(PORT);
    await waitFor(async () => (await http('GET', `${services.publicUrl}/ready`)).status === 200, {
      what: '/ready to recover',
      timeoutMs: 30000,
    });
  }, 90000);
});
