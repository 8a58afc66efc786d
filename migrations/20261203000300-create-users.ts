import type { MigrationFn } from "../src/db/migrator.ts";

export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE users (
      id serial PRIMARY KEY,
      organisation_id integer REFERENCES organisations(id),
      role text NOT NULL CHECK (role IN ('admin','operator','agency','uo','contractor','supplier','oversight')),
      login text NOT NULL,
      full_name text NOT NULL,
      position text,
      email text,
      phone text,
      extension text,
      password_hash text,
      must_change_password boolean NOT NULL DEFAULT false,
      active boolean NOT NULL DEFAULT true,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (role = 'admin' OR organisation_id IS NOT NULL)
    );
    CREATE UNIQUE INDEX users_login ON users (lower(login));
    CREATE UNIQUE INDEX users_extension ON users (extension) WHERE extension IS NOT NULL AND active;
    CREATE INDEX users_organisation ON users (organisation_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE users`);
};
