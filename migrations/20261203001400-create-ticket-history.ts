import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE ticket_history (
      id bigserial PRIMARY KEY,
      ticket_id integer NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      action text NOT NULL,
      from_status text,
      to_status text NOT NULL,
      actor_kind text NOT NULL CHECK (actor_kind IN ('user','resident','system')),
      actor_user_id integer REFERENCES users(id),
      actor_resident_id integer REFERENCES residents(id),
      actor_role text NOT NULL,
      actor_org_id integer REFERENCES organisations(id),
      reason text,
      changes jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_history_ticket ON ticket_history (ticket_id, id);
    CREATE INDEX ticket_history_action_created ON ticket_history (action, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE ticket_history`);
};
