import type { MigrationFn } from "../src/db/migrator.ts";

// Live pushes travel by LISTEN/NOTIFY; a payload too large for NOTIFY (8 kB) is parked here by id.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE push_messages (
      id bigserial PRIMARY KEY,
      body jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX push_messages_created ON push_messages (created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE push_messages`);
};
