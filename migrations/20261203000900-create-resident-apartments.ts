import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE resident_apartments (
      resident_id integer NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
      apartment_id integer NOT NULL REFERENCES apartments(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (resident_id, apartment_id)
    );
    CREATE INDEX resident_apartments_apartment ON resident_apartments (apartment_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE resident_apartments`);
};
