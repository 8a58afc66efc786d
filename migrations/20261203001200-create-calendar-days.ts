import type { MigrationFn } from "../src/db/migrator.ts";

// Exceptions to the Mon–Fri week: holidays and days off (kind 'off'), working weekends ('work'),
// shortened pre-holiday days ('short'). Years covered are listed in calendar_years.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE calendar_days (
      day date PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('off','work','short')),
      note text
    );
    CREATE TABLE calendar_years (
      year integer PRIMARY KEY,
      basis text NOT NULL,
      verified boolean NOT NULL DEFAULT false
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE calendar_days; DROP TABLE calendar_years`);
};
