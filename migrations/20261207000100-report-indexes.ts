import type { MigrationFn } from "../src/db/migrator.ts";

// Indexes the reports need at region scale: tickets closed in a period (globally and per УО),
// tickets received in a period per УО and per executor, and the public feed's publishable rows.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE INDEX tickets_closed_at ON tickets (closed_at) WHERE closed_at IS NOT NULL;
    CREATE INDEX tickets_uo_created ON tickets (uo_id, created_at);
    CREATE INDEX tickets_uo_closed ON tickets (uo_id, closed_at) WHERE closed_at IS NOT NULL;
    CREATE INDEX tickets_executor_created ON tickets (executor_org_id, created_at) WHERE executor_org_id IS NOT NULL;
    CREATE INDEX buildings_uo_district ON buildings (uo_id, city_district);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    DROP INDEX tickets_closed_at; DROP INDEX tickets_uo_created; DROP INDEX tickets_uo_closed;
    DROP INDEX tickets_executor_created; DROP INDEX buildings_uo_district;
  `);
};
