import type { MigrationFn } from "../src/db/migrator.ts";

// Call-backs to the resident about a ticket; the "unreachable" closure counts the unanswered ones.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE contact_attempts (
      id serial PRIMARY KEY,
      ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id),
      phone text,
      outcome text NOT NULL CHECK (outcome IN ('pending','answered','no_answer','busy','failed')),
      note text,
      call_ref text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX contact_attempts_ticket ON contact_attempts (ticket_id, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE contact_attempts`);
};
