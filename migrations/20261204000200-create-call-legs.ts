import type { MigrationFn } from "../src/db/migrator.ts";

// Each operator phone a call rang at: who got the screen-pop, who answered, whose pop was withdrawn.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE call_legs (
      id serial PRIMARY KEY,
      call_id integer NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
      leg_key text NOT NULL,
      extension text NOT NULL,
      user_id integer REFERENCES users(id),
      rang_at timestamptz NOT NULL,
      answered_at timestamptz,
      ended_at timestamptz,
      end_reason text CHECK (end_reason IN ('answered_here','answered_elsewhere','not_answered','call_ended')),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (call_id, leg_key)
    );
    CREATE INDEX call_legs_user ON call_legs (user_id, rang_at DESC) WHERE user_id IS NOT NULL;
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE call_legs`);
};
