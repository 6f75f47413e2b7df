import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { configWith, type MissiveConfig } from '@missive/config';
import { topicName, type EventEnvelope, type Region } from '@missive/contracts';
import { Databases } from '@missive/database';
import { createLogger, Metrics } from '@missive/observability';
import { waitFor } from '@missive/testing';
import { startLocalBroker, stopLocalBroker, type LocalBroker } from '../../../deploy/local/kafka-broker';
import { KafkaClients } from '../src/kafka-clients';
import { kafkaConnection } from '../src/kafka-connection';
import { PATTERN_SEPARATOR } from '../src/consume-events.decorator';
import { KafkaEventServer } from '../src/kafka-event-server';

/** A broker of its own (SASL_SSL on 19300, controller 19301, inter-broker 19302), so the shared one stays plaintext. */
const PORT = 19300;
const USER = { name: 'missive', password: randomUUID() };
const TOPIC = topicName('NA', 'platform.probe');

/**
 * R-X2: Kafka clients reach the brokers over TLS with SASL/SCRAM, from the configuration alone, and nothing else
 * connects. R-T2: a consumer drops an event whose region is not its topic's, and counts it.
 */
describe('R-X2: Kafka over TLS and SASL/SCRAM', () => {
  const uid = randomUUID().slice(0, 8);
  const logger = createLogger({ level: 'silent' });
  let broker: LocalBroker;
  let config: MissiveConfig;
  let clients: KafkaClients;
  let admin: Admin;

  const secureEnv = () => ({
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: broker.caFile!,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER.name,
    KAFKA_SASL_PASSWORD: USER.password,
  });
  /** Connects once, without retries: resolves when the broker let the client in, rejects with its reason. */
  const connectOnce = async (connection: ReturnType<typeof kafkaConnection>): Promise<void> => {
    const probe = new Kafka({
      clientId: `security-${uid}`,
      ...connection,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      retry: { retries: 0 },
    }).admin();
    try {
      await probe.connect();
      await probe.describeCluster();
    } finally {
      await probe.disconnect().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    broker = await startLocalBroker(PORT, { fresh: true, secure: { users: [USER] } });
    config = configWith({ ...secureEnv(), REGIONS: 'NA' });
    clients = new KafkaClients(config, logger);
    admin = clients.admin('NA');
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  }, 120000);

  afterAll(async () => {
    await admin?.disconnect();
    await stopLocalBroker(PORT);
  });

  it('sends and receives an event with a producer and a consumer made from the configuration', async () => {
    const producer = clients.createProducer('NA');
    const consumer = clients.forRegion('NA').consumer({ groupId: `security-${uid}` });
    const id = randomUUID();
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
      });
      await producer.send({ topic: TOPIC, messages: [{ key: id, value: JSON.stringify({ id }) }] });
      expect(JSON.parse(await received)).toEqual({ id });
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });

  it('refuses a wrong password, a client without TLS and a client that does not trust the CA', async () => {
    const secure = kafkaConnection(config, 'NA');
    await expect(connectOnce(secure)).resolves.toBeUndefined();
    const wrong = configWith({ ...secureEnv(), KAFKA_SASL_PASSWORD: 'not-the-password' });
    await expect(connectOnce(kafkaConnection(wrong, 'NA'))).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/);
    // The broker closes a connection that does not start with a TLS handshake.
    await expect(connectOnce({ brokers: secure.brokers, sasl: secure.sasl })).rejects.toThrow(/Closed connection/);
    await expect(connectOnce({ ...secure, ssl: true })).rejects.toThrow(/self.signed certificate/);
  });

  it('R-T2: regions with different security get their own clients (SCRAM-SHA-256 for EEA here)', async () => {
    const mixed = configWith({ ...secureEnv(), KAFKA_SASL_MECHANISM_EEA: 'scram-sha-256' });
    const both = new KafkaClients(mixed, logger);
    expect(both.distinct().map((d) => d.regions)).toEqual([['NA'], ['EEA']]);
    expect(kafkaConnection(mixed, 'EEA').sasl?.mechanism).toBe('scram-sha-256');
    await expect(connectOnce(kafkaConnection(mixed, 'EEA'))).resolves.toBeUndefined();
  });

  it("R-T2: a consumer drops an event whose region is not the topic's, and counts it on /metrics", async () => {
    const metrics = new Metrics();
    const databases = new Databases(config, { global: [], regional: [] });
    await databases.connect();
    const server = new KafkaEventServer({
      config,
      databases,
      kafka: clients,
      logger,
      metrics,
      groupPrefix: `security-${uid}`,
      startAtLatest: true,
    });
    const handled: string[] = [];
    server.addHandler(
      `region-check${PATTERN_SEPARATOR}platform.probe`,
      async (batch: { events: EventEnvelope[] }) => {
        handled.push(...batch.events.map((e) => e.id));
      },
      true,
      {},
    );
    const envelope = (region: Region): EventEnvelope => ({
      id: randomUUID(),
      type: 'platform.probe',
      version: 1,
      tenantId: randomUUID(),
      region,
      occurredAt: new Date().toISOString(),
      data: {},
    });
    const forged = envelope('EEA');
    const genuine = envelope('NA');
    const producer = clients.createProducer('NA');
    try {
      await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
      await producer.connect();
      // One partition: the genuine event is handled after the forged one was looked at.
      await producer.send({
        topic: TOPIC,
        messages: [forged, genuine].map((e) => ({ key: uid, value: JSON.stringify(e) })),
      });
      await waitFor(() => handled.includes(genuine.id), { what: 'the genuine event', timeoutMs: 20000 });
      expect(handled).toEqual([genuine.id]);
      const dropped = await metrics.registry.getSingleMetricAsString('missive_kafka_events_dropped_total');
      expect(dropped).toContain(
        `missive_kafka_events_dropped_total{consumer="region-check",topic="${TOPIC}",reason="region_mismatch"} 1`,
      );
    } finally {
      await producer.disconnect();
      await server.close();
      await databases.close();
    }
  });
});
