import type { MigrationFn } from "../src/db/migrator.ts";

// Messenger updates already processed (Telegram update_id, VK event_id): each is handled once.
// The row is written in the same transaction as the update's effects.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE bot_updates (
      channel text NOT NULL,
      update_key text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel, update_key)
    );
    CREATE INDEX bot_updates_processed_at ON bot_updates (processed_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE bot_updates`);
};
