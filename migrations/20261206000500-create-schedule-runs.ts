import type { MigrationFn } from "../src/db/migrator.ts";

// Scheduled jobs: one row per job and tick, claimed by exactly one instance; the last tick
// per job tells a restarted instance which ticks it missed.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE schedule_runs (
      job text NOT NULL,
      tick timestamptz NOT NULL,
      instance text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      error text,
      PRIMARY KEY (job, tick)
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE schedule_runs`);
};
