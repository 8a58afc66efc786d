import type { MigrationFn } from "../src/db/migrator.ts";

// Small key/value store for platform state (first-start markers, reference data versions).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE settings`);
};
