import { Controller, Module } from '@nestjs/common';
import { ConsumeEvents, type EventBatch } from '@missive/kafka';
import type { ServiceDefinition } from '@missive/platform';
import { adminQuery } from '@missive/testing';

export interface ProbeData {
  /** The test run that sent it: consumers start at the oldest retained event, so earlier runs' events come too. */
  run: string;
  n: number;
}

/**
 * A throw-away consumer for the platform tests: it counts every effect per event id in its own table, so a
 * doubled effect shows as count 2 and a lost one as a missing row.
 */
export async function createProbe(
  uid: string,
  database: Parameters<typeof adminQuery>[0] = 'NA',
): Promise<{ service: ServiceDefinition; table: string; consumer: string }> {
  const table = `probe_effects_${uid}`;
  const consumer = `probe_${uid}`;
  await adminQuery(database, `CREATE TABLE ${table} (event_id uuid PRIMARY KEY, n int NOT NULL, count int NOT NULL)`);
  await adminQuery(database, `CREATE TABLE probe_rows_${uid} (n int PRIMARY KEY)`);
  await adminQuery(database, `GRANT SELECT, INSERT, UPDATE ON ${table}, probe_rows_${uid} TO missive_app`);

  @Controller()
  class ProbeConsumer {
    @ConsumeEvents(consumer, 'platform.probe')
    async handle(batch: EventBatch<ProbeData>): Promise<void> {
      const events = batch.events.filter((e) => e.data.run === uid);
      if (events.length === 0) return;
      await batch.manager!.query(
        `INSERT INTO ${table} (event_id, n, count) SELECT id, n, 1 FROM unnest($1::uuid[], $2::int[]) AS t(id, n)
         ON CONFLICT (event_id) DO UPDATE SET count = ${table}.count + 1`,
        [events.map((e) => e.id), events.map((e) => e.data.n)],
      );
    }
  }

  @Module({ controllers: [ProbeConsumer] })
  class ProbeModule {}

  return { service: { name: 'probe', publicModules: [ProbeModule] }, table, consumer };
}

export async function dropProbe(uid: string): Promise<void> {
  await adminQuery('NA', `DROP TABLE IF EXISTS probe_effects_${uid}, probe_rows_${uid}`);
}
