import type { MigrationFn } from "../src/db/migrator.ts";

// Every consent given or withdrawn: who, when, which text, through which channel, recorded by whom.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE resident_consents (
      id serial PRIMARY KEY,
      resident_id integer NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
      version text NOT NULL REFERENCES consent_texts(version),
      given boolean NOT NULL DEFAULT true,
      channel text NOT NULL,
      recorded_by_user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX resident_consents_resident ON resident_consents (resident_id, created_at DESC);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE resident_consents`);
};
