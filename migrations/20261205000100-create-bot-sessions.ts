import type { MigrationFn } from "../src/db/migrator.ts";

// One conversation state per chat, for every messenger: a restart mid-dialogue resumes it.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE bot_sessions (
      channel text NOT NULL,
      chat_id text NOT NULL,
      state jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (channel, chat_id)
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE bot_sessions`);
};
