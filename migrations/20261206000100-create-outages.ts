import type { MigrationFn } from "../src/db/migrator.ts";

// Interruptions of a resource (ПП 354, regulation §3.4.2, §3.5), registered by a УО or a РСО.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE outages (
      id serial PRIMARY KEY,
      resource text NOT NULL CHECK (resource IN ('cold_water','hot_water','heating','electricity','gas','sewerage')),
      kind text NOT NULL CHECK (kind IN ('planned','emergency')),
      starts_at timestamptz NOT NULL,
      expected_end_at timestamptz NOT NULL,
      ended_at timestamptz,
      cancelled_at timestamptz,
      reason text NOT NULL,
      org_id integer NOT NULL REFERENCES organisations(id),
      registered_by_user_id integer REFERENCES users(id),
      version integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (expected_end_at > starts_at),
      CHECK (ended_at IS NULL OR ended_at >= starts_at)
    );
    CREATE INDEX outages_open ON outages (resource, starts_at) WHERE ended_at IS NULL AND cancelled_at IS NULL;
    CREATE TABLE outage_buildings (
      outage_id integer NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
      building_id integer NOT NULL REFERENCES buildings(id),
      PRIMARY KEY (outage_id, building_id)
    );
    CREATE INDEX outage_buildings_building ON outage_buildings (building_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE outage_buildings; DROP TABLE outages`);
};
