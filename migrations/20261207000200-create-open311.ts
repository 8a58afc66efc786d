import type { MigrationFn } from "../src/db/migrator.ts";

// Open311 GeoReport v2: the client applications allowed to POST requests (api_key, stored
// hashed) and the requests they created (the token a client can poll, the ticket it became).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE open311_clients (
      id serial PRIMARY KEY,
      name text NOT NULL,
      api_key_hash text NOT NULL UNIQUE,
      active boolean NOT NULL DEFAULT true,
      created_by_user_id integer REFERENCES users(id),
      last_used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE open311_requests (
      token uuid PRIMARY KEY,
      client_id integer NOT NULL REFERENCES open311_clients(id),
      ticket_id integer NOT NULL UNIQUE REFERENCES tickets(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX open311_requests_client ON open311_requests (client_id, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE open311_requests; DROP TABLE open311_clients`);
};
