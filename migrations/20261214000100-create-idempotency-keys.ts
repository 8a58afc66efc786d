import type { MigrationFn } from "../src/db/migrator.ts";

// Idempotency-Key of API creates: a client that lost the answer sends the same request with the
// same key and gets the ticket made the first time, not a second one. One row per (who, key),
// written in the same transaction as the ticket; kept a day (housekeeping).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE idempotency_keys (
      actor text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      ticket_id int NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (actor, key)
    );
    CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE idempotency_keys`);
};
