import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox payloads are stored out of line without compression (R-X5, R-C6): a row lives only until the relay has
 * published it, and an import's batched `contact.changed` v3 (up to ~200 KB, mostly sealed and so incompressible)
 * cost more to compress on insert and decompress on relay than the disk it would save. Sets no data, rewrites nothing.
 */
export class OutboxPayloadUncompressed1765200000000 implements MigrationInterface {
  name = 'OutboxPayloadUncompressed1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTENDED`);
  }
}
