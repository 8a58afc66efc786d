import type { MigrationFn } from "../src/db/migrator.ts";

// The state of each PBX's AMI link as its holder last reported it, so that operators on every
// instance see when screen-pops cannot come (a PBX restart, a network cut, a changed AMI secret).
// checked_at is refreshed by the holder while the link is up: an old one means no instance has
// vouched for the link lately (the holder died and nobody took over).
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE TABLE pbx_links (
      pbx text PRIMARY KEY,
      state text NOT NULL CHECK (state IN ('ready', 'down', 'auth_failed')),
      since timestamptz NOT NULL,
      last_error text,
      checked_at timestamptz NOT NULL
    );
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP TABLE pbx_links;`);
};
