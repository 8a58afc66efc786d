import type { MigrationFn } from "../src/db/migrator.ts";

// Failed logins per login and per IP, for throttling (a user row may not exist for a guessed login).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE login_failures (
      id bigserial PRIMARY KEY,
      login text NOT NULL,
      ip text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX login_failures_login ON login_failures (lower(login), created_at);
    CREATE INDEX login_failures_ip ON login_failures (ip, created_at);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE login_failures`);
};
