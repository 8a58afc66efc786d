import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE apartments (
      id serial PRIMARY KEY,
      building_id integer NOT NULL REFERENCES buildings(id) ON DELETE CASCADE,
      number text NOT NULL,
      personal_account text,
      owner_name text,
      floor integer,
      entrance integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX apartments_building_number ON apartments (building_id, lower(number));
    CREATE UNIQUE INDEX apartments_personal_account ON apartments (personal_account) WHERE personal_account IS NOT NULL;
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE apartments`);
};
