import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { loadConfig } from '@missive/config';
import { REGIONS, TOPICS, topicName } from '@missive/contracts';
import { kafkaConnection } from '../src/kafka-connection';
import { ensureTopics } from '../src/topic-admin';

const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000;

async function retentionOf(admin: Admin, topics: string[]) {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['retention.ms', 'segment.ms'],
    })),
  });
  return described.resources.map((r) => ({
    topic: r.resourceName,
    retention: Number(r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue),
    segment: Number(r.configEntries.find((e) => e.configName === 'segment.ms')?.configValue),
  }));
}

describe('R-P2: Kafka keeps even ciphertext under two weeks', () => {
  let admin: Admin;

  beforeAll(async () => {
    const config = loadConfig();
    admin = new Kafka({
      clientId: 'test-retention',
      ...kafkaConnection(config, 'NA'),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  it('R-P2: every topic of both regions: retention + one segment roll < 14 days (only closed segments are deleted)', async () => {
    await ensureTopics(admin, REGIONS);
    const topics = REGIONS.flatMap((r) => TOPICS.map((t) => topicName(r, t.event)));
    for (const t of await retentionOf(admin, topics)) {
      expect([t.topic, t.retention + t.segment < FOURTEEN_DAYS_MS]).toEqual([t.topic, true]);
    }
  });

  it('R-P2: a retention changed by hand is put back when the topics are ensured', async () => {
    const topic = topicName('EEA', TOPICS[0].event);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }],
        },
      ],
    });
    await ensureTopics(admin, ['EEA']);
    const [after] = await retentionOf(admin, [topic]);
    expect(after.retention + after.segment).toBeLessThan(FOURTEEN_DAYS_MS);
  });
});
