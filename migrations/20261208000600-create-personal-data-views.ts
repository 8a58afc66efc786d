import type { MigrationFn } from "../src/db/migrator.ts";

// 152-ФЗ: each view of a resident's personal data by staff (who, when, which record, where).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE personal_data_views (
      id bigserial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id),
      resident_id integer REFERENCES residents(id) ON DELETE CASCADE,
      ticket_id integer REFERENCES tickets(id) ON DELETE CASCADE,
      source text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX personal_data_views_resident ON personal_data_views (resident_id, created_at DESC);
    CREATE INDEX personal_data_views_user ON personal_data_views (user_id, created_at DESC);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE personal_data_views`);
};
