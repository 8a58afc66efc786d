import type { MigrationFn } from "../src/db/migrator.ts";

// A resident is one person across channels, matched by the normalised (E.164) phone.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE residents (
      id serial PRIMARY KEY,
      full_name text,
      phone text,
      email text,
      consent_at timestamptz,
      consent_version text,
      anonymised_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX residents_phone ON residents (phone) WHERE phone IS NOT NULL;
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE residents`);
};
