import type { Admin } from 'kafkajs';
import { TOPICS, TOPIC_RETENTION_MS, TOPIC_SEGMENT_MS, topicName, type Region } from '@missive/contracts';

/**
 * Creates the project's topics for the given regions if they are missing, with explicit partition counts and
 * the retention that keeps even ciphertext under two weeks (R-P2). Existing topics are left as they are.
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
