import type { MigrationFn } from "../src/db/migrator.ts";

// Abuse limits of the public doors (resident form, status look-ups, connection requests, Open311):
// uses per subject per fixed window, counted in PostgreSQL so every instance and a restart see
// the same count. Old windows are removed by housekeeping.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE request_budgets (
      key text NOT NULL,
      window_start timestamptz NOT NULL,
      used int NOT NULL,
      PRIMARY KEY (key, window_start)
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE request_budgets`);
};
