import type { MigrationFn } from "../src/db/migrator.ts";

// The texts of consent to personal data processing, by version (residents.consent_version).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE consent_texts (
      version text PRIMARY KEY,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE consent_texts`);
};
