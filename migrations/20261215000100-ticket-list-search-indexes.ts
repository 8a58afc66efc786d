import type { MigrationFn } from "../src/db/migrator.ts";

// Two list filters that read every ticket at a district's size (1,000,000 tickets):
// - "last changed first" over everything the actor sees (an operator, the agency): without an
//   index on updated_at every matching ticket was read and sorted (~700 ms a page);
// - the text search (number or description contains the words, ILIKE '%…%'): a rare word or a
//   number fragment made PostgreSQL read every ticket of the scope (~500 ms in one УО). Trigram
//   indexes (pg_trgm, a trusted extension shipped with PostgreSQL) answer "contains" from the
//   index; a common word is still read in date order and stops at the page's end.
export const up: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX tickets_updated ON tickets (updated_at DESC, id DESC);
    CREATE INDEX tickets_text_trgm ON tickets USING gin (number gin_trgm_ops, description gin_trgm_ops);
  `);
};
export const down: MigrationFn = async ({ context }) => {
  await context.sequelize.query(`DROP INDEX tickets_text_trgm; DROP INDEX tickets_updated;`);
};
