import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { MissiveConfig } from '@missive/config';
import { topicName, type Region } from '@missive/contracts';
import { Databases, queryRows } from '@missive/database';
import { KafkaClients } from '@missive/kafka';
import type { Logger } from '@missive/observability';
import { LOGGER } from '@missive/platform';
import { projectionCaughtUp, type PartitionPosition } from './projection-freshness.rules';

const CONTACT_CHANGED = 'contact.changed';
/** The projection's consumer (ContactProjectionConsumer's `@ConsumeEvents('campaigns', …)`). */
const PROJECTION_CONSUMER = 'campaigns';
const POLL_MS = 50;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Whether the campaigns service's contact projection has applied every `contact.changed` committed before a
 * moment: first the region's outbox rows of that topic visible then have been relayed, then the projection's
 * consumer group has committed offsets up to the topic's ends as they were after that. The group commits only after
 * its inbox transaction did, so its offsets never run ahead of the projection's rows. Used before a campaign is
 * refused for naming an unknown list, and before a send takes its audience (R-S1), so neither depends on how far
 * behind the projection happens to be.
 */
@Injectable()
export class ProjectionFreshness implements OnModuleDestroy {
  private readonly admins = new Map<Region, Promise<Admin>>();
  private warnedNoGroup = false;

  constructor(
    private readonly config: MissiveConfig,
    private readonly databases: Databases,
    private readonly kafka: KafkaClients,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Waits, at most `timeoutMs`, until the projection holds everything written to contacts before the call; answers
   * whether it does. Holds no database connection while it waits (R-X6).
   */
  async caughtUp(region: Region, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const topic = topicName(region, CONTACT_CHANGED);
    const db = this.databases.forRegion(region);
    const [{ last }] = await queryRows<{ last: string | null }>(
      db,
      'SELECT max(id)::text AS last FROM outbox WHERE topic = $1',
      [topic],
    );
    // The outbox is not under RLS: events hold ids and sealed fields only. The relay deletes rows once published.
    while (last !== null) {
      const waiting = await queryRows(db, 'SELECT 1 FROM outbox WHERE id <= $1 AND topic = $2 LIMIT 1', [last, topic]);
      if (waiting.length === 0) break;
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS);
    }
    const admin = await this.admin(region);
    const ends = await admin.fetchTopicOffsets(topic);
    const groupId = this.groupId(region);
    for (let first = true; ; first = false) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const positions: PartitionPosition[] = ends.map((end) => ({
        low: end.low,
        high: end.high,
        committed: committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1',
      }));
      if (projectionCaughtUp(positions)) return true;
      if (first && !(await this.groupExists(admin, groupId))) return true;
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS);
    }
  }

  /**
   * The consumer group KafkaEventServer names `{prefix}.{consumer}.{region}`: the prefix is the test namespace
   * where one is set (libs/testing starts services with the two equal), `missive` otherwise.
   */
  private groupId(region: Region): string {
    return `${this.config.queueNamespace ?? 'missive'}.${PROJECTION_CONSUMER}.${region.toLowerCase()}`;
  }

  /**
   * A group that does not exist at all means the projection runs under another name (a process started with its
   * own group prefix): nothing here can tell its lag, so the caller goes on as if it had caught up, and says so once.
   */
  private async groupExists(admin: Admin, groupId: string): Promise<boolean> {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0] && groups[0].state !== 'Dead') return true;
    if (!this.warnedNoGroup) {
      this.warnedNoGroup = true;
      this.logger.warn({ groupId }, 'no contact projection consumer group by this name: its lag is not awaited');
    }
    return false;
  }

  private admin(region: Region): Promise<Admin> {
    let admin = this.admins.get(region);
    if (!admin) {
      const created = this.kafka.forRegion(region).admin();
      admin = created.connect().then(() => created);
      admin.catch(() => this.admins.delete(region));
      this.admins.set(region, admin);
    }
    return admin;
  }

  async onModuleDestroy(): Promise<void> {
    const admins = [...this.admins.values()];
    this.admins.clear();
    await Promise.all(admins.map(async (a) => (await a.catch(() => null))?.disconnect()));
  }
}
