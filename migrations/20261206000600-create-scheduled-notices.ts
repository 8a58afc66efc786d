import type { MigrationFn } from "../src/db/migrator.ts";

// Marks of notices raised by schedules (deadline soon, dispatch overdue, reminders…) so that
// each is raised once per subject, whatever the number of instances or ticks.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE scheduled_notices (
      kind text NOT NULL,
      ref text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, ref)
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE scheduled_notices`);
};
