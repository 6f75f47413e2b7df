// Reads every store of one region whole, to prove what is (and is not) in it: each table of a database as text,
// every Redis key with its value, every message of every topic of a broker. For tests of residency and purge (R-T2,
// R-P2): small stores only.
import { readdirSync } from 'node:fs';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { adminQuery } from '@missive/testing';
import type { RegionKafka } from './region-topology';

/** Tables (with the row count) in which some row's text contains `needle`. */
export async function tablesContaining(databaseUrl: string, needle: string): Promise<string[]> {
  const tables = await adminQuery<{ name: string }>(
    { url: databaseUrl },
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const [{ n }] = await adminQuery<{ n: number }>(
      { url: databaseUrl },
      `SELECT count(*)::int AS n FROM "${name}" t WHERE strpos(t::text, $1) > 0`,
      [needle],
    );
    if (n > 0) found.push(`${name}: ${n}`);
  }
  return found;
}

/** Every key of a Redis server with its value as text (strings, hashes, sets, sorted sets, lists, streams). */
export async function redisDump(url: string): Promise<Map<string, string>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const dump = new Map<string, string>();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1)
                  : type === 'list'
                    ? await redis.lrange(key, 0, -1)
                    : type === 'stream'
                      ? await redis.xrange(key, '-', '+')
                      : null;
        dump.set(key, JSON.stringify(value));
      }
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return dump;
}

/** Keys whose name or value contains `needle`. */
export function redisKeysContaining(dump: Map<string, string>, needle: string): string[] {
  return [...dump].filter(([key, value]) => key.includes(needle) || value.includes(needle)).map(([key]) => key);
}

/** Every message (key, headers and value as UTF-8, with its topic) of every topic of the broker, from the start. */
export async function brokerDump(connection: RegionKafka): Promise<{ topic: string; text: string }[]> {
  const kafka = new Kafka({ clientId: 'store-scan', ...connection, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  let topics: string[];
  try {
    topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
      }
    }
  } finally {
    await admin.disconnect();
  }
  const messages: { topic: string; text: string }[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `store-scan-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`broker scan incomplete: ${[...ends.keys()].join(', ')}`)),
        60000,
      );
      void consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          const headers = Object.entries(message.headers ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' ');
          messages.push({
            topic,
            text: `${message.key?.toString('utf8') ?? ''} ${headers} ${message.value?.toString('utf8') ?? ''}`,
          });
          const key = `${topic}/${partition}`;
          if (ends.has(key) && Number(message.offset) + 1 >= ends.get(key)!) ends.delete(key);
          if (ends.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Files below a folder (recursively), as paths relative to it. */
export function filesBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; name: string }[])
    .filter((e) => e.isFile())
    .map((e) => e.name);
}
