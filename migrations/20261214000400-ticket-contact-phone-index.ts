import type { MigrationFn } from "../src/db/migrator.ts";

// The screen-pop's "open tickets of this number" (src/commands/callPopLoader.ts): tickets left by
// phone without a resident record are found by their contact phone. Without an index that read
// walked every open ticket for a number that has few or none.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`CREATE INDEX tickets_open_contact_phone ON tickets (contact_phone, created_at DESC) WHERE status <> 'closed' AND contact_phone IS NOT NULL`);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP INDEX tickets_open_contact_phone`);
};
