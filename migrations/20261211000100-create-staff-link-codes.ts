import type { MigrationFn } from "../src/db/migrator.ts";

// One-time codes a staff member gets in the panel to link a Telegram or VK account (stored hashed).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE staff_link_codes (
      id serial PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      used_channel text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX staff_link_codes_user ON staff_link_codes (user_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE staff_link_codes`);
};
