import type { MigrationFn } from "../src/db/migrator.ts";

// Shared send schedule of every app instance: the next free moment per bucket
// (a channel as a whole, or one chat).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE rate_slots (
      key text PRIMARY KEY,
      next_at timestamptz NOT NULL
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE rate_slots`);
};
