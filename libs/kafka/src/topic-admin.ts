import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { TOPICS, TOPIC_RETENTION_MS, TOPIC_SEGMENT_MS, topicName, type Region } from '@missive/contracts';

/**
 * Creates the project's topics for the given regions if they are missing, with explicit partition counts and
 * the retention that keeps even ciphertext under two weeks (R-P2). Existing topics keep their partitions, but a
 * retention or segment roll that drifted (set by hand, or by an older version) is put back: Kafka deletes only
 * closed segments, so both bound how long a purged tenant's ciphertext can outlive the purge.
 */
export async function ensureTopics(admin: Admin, regions: readonly Region[], replicationFactor = 1): Promise<string[]> {
  // Right after creation a broker may not yet host the new partitions and kafkajs's leader wait fails
  // ("does not host this topic-partition"); the operation is idempotent, so try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await createMissingTopics(admin, regions, replicationFactor);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

async function createMissingTopics(
  admin: Admin,
  regions: readonly Region[],
  replicationFactor: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = regions.flatMap((region) =>
    TOPICS.map((t) => ({ name: topicName(region, t.event), partitions: t.partitions })).filter(
      (t) => !existing.has(t.name),
    ),
  );
  await enforceRetention(
    admin,
    regions.flatMap((region) => TOPICS.map((t) => topicName(region, t.event))).filter((name) => existing.has(name)),
  );
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions,
      replicationFactor,
      configEntries: [
        { name: 'retention.ms', value: String(TOPIC_RETENTION_MS) },
        { name: 'segment.ms', value: String(TOPIC_SEGMENT_MS) },
      ],
    })),
  });
  return missing.map((t) => t.name);
}

const RETENTION_CONFIG: Record<string, string> = {
  'retention.ms': String(TOPIC_RETENTION_MS),
  'segment.ms': String(TOPIC_SEGMENT_MS),
};

async function enforceRetention(admin: Admin, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: Object.keys(RETENTION_CONFIG),
    })),
  });
  const drifted = described.resources.filter((r) =>
    Object.entries(RETENTION_CONFIG).some(
      ([key, value]) => r.configEntries.find((e) => e.configName === key)?.configValue !== value,
    ),
  );
  if (drifted.length === 0) return;
  // A topic's non-default settings are replaced as a whole by alterConfigs: these two are the only ones Missive sets.
  await admin.alterConfigs({
    validateOnly: false,
    resources: drifted.map((r) => ({
      type: ConfigResourceTypes.TOPIC,
      name: r.resourceName,
      configEntries: Object.entries(RETENTION_CONFIG).map(([name, value]) => ({ name, value })),
    })),
  });
}
