import type { MigrationFn } from "../src/db/migrator.ts";

// Which contractors (ПО) and resource suppliers (РСО) serve which management company (УО).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE organisation_links (
      uo_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      provider_id integer NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (uo_id, provider_id),
      CHECK (uo_id <> provider_id)
    );
    CREATE INDEX organisation_links_provider ON organisation_links (provider_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE organisation_links`);
};
