import type { MigrationFn } from "../src/db/migrator.ts";

// A resident's (or staff user's) account in a messenger. blocked_at: the bot was blocked by them.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE messenger_identities (
      id serial PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('telegram','vk')),
      external_id text NOT NULL,
      resident_id integer REFERENCES residents(id) ON DELETE CASCADE,
      user_id integer REFERENCES users(id) ON DELETE CASCADE,
      username text,
      blocked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (resident_id IS NULL OR user_id IS NULL)
    );
    CREATE UNIQUE INDEX messenger_identities_external ON messenger_identities (channel, external_id);
    CREATE INDEX messenger_identities_resident ON messenger_identities (resident_id);
    CREATE INDEX messenger_identities_user ON messenger_identities (user_id);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE messenger_identities`);
};
