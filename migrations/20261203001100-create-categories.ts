import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE categories (
      id serial PRIMARY KEY,
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      group_name text NOT NULL,
      resource text CHECK (resource IN ('cold_water','hot_water','heating','electricity','gas','sewerage')),
      emergency boolean NOT NULL DEFAULT false,
      deadline_value integer NOT NULL CHECK (deadline_value >= 0),
      deadline_unit text NOT NULL CHECK (deadline_unit IN ('minutes','hours','calendar_days','working_days')),
      deadline_basis text NOT NULL,
      deadline_verified boolean NOT NULL DEFAULT false,
      norm_ref text,
      active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE categories`);
};
