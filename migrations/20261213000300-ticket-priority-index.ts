import type { MigrationFn } from "../src/db/migrator.ts";

// The ticket list's "priority" order as an index: open emergencies, then the other open tickets,
// then closed ones, each by deadline (overdue ones first, as their deadline is the earliest).
// The expression must stay equal to PRIORITY_TIER in src/routes/api/ticketPage.ts.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE INDEX tickets_priority ON tickets ((CASE WHEN status <> 'closed' AND emergency THEN 0 WHEN status <> 'closed' THEN 1 ELSE 2 END), deadline_at, id DESC);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP INDEX tickets_priority`);
};
