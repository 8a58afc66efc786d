import type { MigrationFn } from "../src/db/migrator.ts";

// Every step of a conflict: who, when, what.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE conflict_events (
      id serial PRIMARY KEY,
      conflict_id integer NOT NULL REFERENCES conflicts(id) ON DELETE CASCADE,
      action text NOT NULL,
      actor_user_id integer REFERENCES users(id),
      actor_org_id integer REFERENCES organisations(id),
      text text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX conflict_events_conflict ON conflict_events (conflict_id, id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE conflict_events`);
};
