import type { MigrationFn } from "../src/db/migrator.ts";

// Building and district reports count the partial months at the edges of a period directly on the
// tickets (src/reports/summary.ts). These two indexes carry every column that count reads, so it
// is an index-only scan instead of a visit to each ticket's page (at a million tickets the edge
// tickets are spread over most of the table).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE INDEX tickets_created_report ON tickets (created_at) INCLUDE (building_id, emergency, closure_kind, crew_dispatched_at);
    CREATE INDEX tickets_closed_report ON tickets (closed_at)
      INCLUDE (building_id, created_at, reported_at, deadline_at, verified_at, closure_kind, reopened_count, rating) WHERE closed_at IS NOT NULL;
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP INDEX tickets_created_report; DROP INDEX tickets_closed_report;`);
};
