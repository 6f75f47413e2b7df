import { APP_ROLE } from '../app-role';

/**
 * The transactional outbox (R-X5) and the consumers' processed-event inbox, present in every database.
 * Neither holds personal data (events carry ids; personal fields are encrypted per tenant), so neither is
 * under row-level security: the relay and consumers work across tenants.
 */
export const OUTBOX_INBOX_UP = [
  `CREATE TABLE outbox (
     id bigserial PRIMARY KEY,
     event_id uuid NOT NULL,
     topic text NOT NULL,
     partition_key text,
     payload text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN PERFORM pg_notify('outbox', ''); RETURN NULL; END $$`,
  `CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()`,
  `CREATE TABLE processed_events (
     consumer text NOT NULL,
     event_id uuid NOT NULL,
     processed_at timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT pk_processed_events PRIMARY KEY (consumer, event_id)
   )`,
  `CREATE INDEX idx_processed_events_processed_at ON processed_events (processed_at)`,
  `GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`,
  `GRANT SELECT, INSERT, DELETE ON outbox, processed_events TO ${APP_ROLE}`,
  `GRANT USAGE ON SEQUENCE outbox_id_seq TO ${APP_ROLE}`,
];

export const OUTBOX_INBOX_DOWN = [
  'DROP TABLE processed_events',
  'DROP TRIGGER outbox_notify ON outbox',
  'DROP FUNCTION outbox_notify()',
  'DROP TABLE outbox',
];
