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
import { trackingService } from '../../../apps/tracking/src/service';

/** A broker of this test's own (and scratch databases, so its relays carry no other test's outbox). */
const PORT = 19094;

@Module({})
class NothingModule {}

describe('R-X3: /health and /ready on every listener', () => {
  const uid = randomUUID().slice(0, 8);
  let scratch: ScratchDatabases;
  let services: TestServices;
  /** A process that runs only the tracking service (the link host, which spools hits while Kafka is away). */
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
    edge = await startTestServices([trackingService], {
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

  it('R-X3: /ready answers 503 naming Kafka while the broker is down, in a tracking-only process too, and 200 again after it returns', async () => {
    await stopLocalBroker(PORT);
    const down = await waitFor(
      async () => {
        const r = await http('GET', `${services.publicUrl}/ready`);
        return r.status === 503 ? r : null;
      },
      { what: '/ready to report the broker down', timeoutMs: 20000 },
    );
    expect(Object.keys(down.body.error)).toEqual(['kafka']);
    // R-X2: the public port names the dependency and its state only, never its host, port or error.
    expect(down.body.error).toEqual({ kafka: { status: 'down' } });
    expect(down.body.details).toEqual({
      postgres: { status: 'up' },
      redis: { status: 'up' },
      kafka: { status: 'down' },
    });
    expect(down.text).not.toContain(String(PORT));
    // The support port, for operators, keeps the error.
    const supportDown = await waitFor(
      async () => {
        const r = await http('GET', `${services.supportUrl}/ready`);
        return r.status === 503 ? r : null;
      },
      { what: 'the support port’s /ready to report the broker down', timeoutMs: 20000 },
    );
    expect(supportDown.body.error.kafka).toEqual({ status: 'down', message: expect.any(String) });
    expect(supportDown.body.error.kafka.message.length).toBeGreaterThan(0);
    expect((await http('GET', `${services.publicUrl}/health`)).status).toBe(200);
    // API.md: the link host reports the broker too (it keeps answering hits and spools them meanwhile).
    const edgeDown = await waitFor(
      async () => {
        const r = await http('GET', `${edge.publicUrl}/ready`);
        return r.status === 503 ? r : null;
      },
      { what: 'the tracking process’s /ready to report the broker down', timeoutMs: 20000 },
    );
    expect(edgeDown.body.error).toEqual({ kafka: { status: 'down' } });

    await startLocalBroker(PORT);
    for (const base of [services.publicUrl, edge.publicUrl]) {
      await waitFor(async () => (await http('GET', `${base}/ready`)).status === 200, {
        what: '/ready to recover',
        timeoutMs: 30000,
      });
    }
  }, 90000);
});
