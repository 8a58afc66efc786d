import type { MigrationFn } from "../src/db/migrator.ts";

// How many of a delivery's attempts the service answered "too many requests" (Telegram 429,
// VK error 6). Those are flow control, not failures: they do not count towards the attempts after
// which a message goes to the dead letters, so a 429 storm never loses a message.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`ALTER TABLE deliveries ADD COLUMN throttled int NOT NULL DEFAULT 0`);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`ALTER TABLE deliveries DROP COLUMN throttled`);
};
