import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a campaign paused itself (a template over its render budget, R-X6); null when paused by the tenant. */
export class CampaignPausedReason1765400000000 implements MigrationInterface {
  name = 'CampaignPausedReason1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns ADD COLUMN paused_reason text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns DROP COLUMN paused_reason');
  }
}
