import type { MigrationFn } from "../src/db/migrator.ts";

// Staff password sessions (cookie) and API tokens; both stored as SHA-256 of the secret.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE sessions (
      id text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      ip text
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE TABLE api_tokens (
      id serial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE api_tokens; DROP TABLE sessions`);
};
