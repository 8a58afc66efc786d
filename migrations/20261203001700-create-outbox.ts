import type { MigrationFn } from "../src/db/migrator.ts";

// Domain events written in the same transaction as the change that caused them.
// The notification worker turns each into deliveries; processed_at marks it handled.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text
    );
    CREATE INDEX outbox_unprocessed ON outbox (id) WHERE processed_at IS NULL;
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE outbox`);
};
