import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE attachments (
      id serial PRIMARY KEY,
      ticket_id integer REFERENCES tickets(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('photo','document','work_order')),
      original_name text NOT NULL,
      mime text NOT NULL,
      size integer NOT NULL,
      sha256 text NOT NULL,
      storage_key text NOT NULL UNIQUE,
      uploaded_by_user_id integer REFERENCES users(id),
      uploaded_by_resident_id integer REFERENCES residents(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX attachments_ticket ON attachments (ticket_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE attachments`);
};
