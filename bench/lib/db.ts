// The bench's own database: created fresh on the same server the tests use (TEST_DATABASE_URL,
// else PostgreSQL on 127.0.0.1:5432, else the embedded one), migrated and seeded, dropped after.
// Same choice as test/support/globalSetup.ts; it never touches a database it did not create.
import { createMigratedDb, dropDatabases, pgServer } from "../../test/support/scratchDb.ts";

export interface BenchDb {
  url: string;
  adminUrl: string;
  name: string;
  drop(): Promise<void>;
}

export async function createBenchDb(): Promise<BenchDb> {
  const server = await pgServer("bench", Number(process.env.BENCH_EMBEDDED_PORT ?? 5497));
  try {
    const { name, url } = await createMigratedDb(server.adminUrl, "op_bench");
    const drop = async () => {
      await dropDatabases(server.adminUrl, [name]);
      await server.embedded?.stop();
    };
    return { url, adminUrl: server.adminUrl, name, drop };
  } catch (err) {
    await server.embedded?.stop();
    throw err;
  }
}
