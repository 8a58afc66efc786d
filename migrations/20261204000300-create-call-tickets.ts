import type { MigrationFn } from "../src/db/migrator.ts";

// Tickets created from a call (or linked to it later).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE call_tickets (
      call_id integer NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
      ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('created','linked')),
      user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (call_id, ticket_id)
    );
    CREATE INDEX call_tickets_ticket ON call_tickets (ticket_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE call_tickets`);
};
