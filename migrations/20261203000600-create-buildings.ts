import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE buildings (
      id serial PRIMARY KEY,
      settlement text NOT NULL,
      city_district text,
      street text NOT NULL,
      house text NOT NULL,
      building_part text NOT NULL DEFAULT '',
      uo_id integer REFERENCES organisations(id),
      latitude double precision,
      longitude double precision,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX buildings_address ON buildings (lower(settlement), lower(street), lower(house), lower(building_part));
    CREATE INDEX buildings_uo ON buildings (uo_id);
    CREATE INDEX buildings_street ON buildings (lower(street) text_pattern_ops);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE buildings`);
};
