import type { MigrationFn } from "../src/db/migrator.ts";

// A mass incident: tickets filed about a resource under an active outage are its children.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE outage_tickets (
      ticket_id integer PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
      outage_id integer NOT NULL REFERENCES outages(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX outage_tickets_outage ON outage_tickets (outage_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE outage_tickets`);
};
