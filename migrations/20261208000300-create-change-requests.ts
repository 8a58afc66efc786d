import type { MigrationFn } from "../src/db/migrator.ts";

// Feedback: an organisation asks to change what it provided; the agency applies or refuses.
// before/after keep the history of each applied change.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE change_requests (
      id serial PRIMARY KEY,
      organisation_id integer NOT NULL REFERENCES organisations(id),
      requested_by_user_id integer NOT NULL REFERENCES users(id),
      changes jsonb NOT NULL DEFAULT '{}'::jsonb,
      comment text,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','applied','refused')),
      before jsonb,
      after jsonb,
      review_reason text,
      reviewed_by_user_id integer REFERENCES users(id),
      reviewed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX change_requests_org ON change_requests (organisation_id, created_at DESC);
    CREATE INDEX change_requests_status ON change_requests (status, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE change_requests`);
};
