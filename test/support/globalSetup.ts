// Creates one fresh database for this test run and drops it at the end. The server is, in order:
// TEST_DATABASE_URL, a PostgreSQL answering on 127.0.0.1:5432 (user postgres), or the embedded one.
// It never touches a database it did not create.
import type { TestProject } from "vitest/node";
import { copyDatabase, createMigratedDb, databasesLike, dropDatabases, pgServer } from "./scratchDb.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminUrl: string;
    /** A migrated, seeded database nobody connects to: each test file gets its own copy of it. */
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await pgServer("test", Number(process.env.TEST_EMBEDDED_PORT ?? 5499));
  const { name, url } = await createMigratedDb(server.adminUrl, "op_test");
  const template = `${name}_tpl`;
  await copyDatabase(server.adminUrl, name, template);
  project.provide("databaseUrl", url);
  project.provide("adminUrl", server.adminUrl);
  project.provide("templateDb", template);

  return async () => {
    // The run's database, its template and every per-file copy (named after it).
    await dropDatabases(server.adminUrl, await databasesLike(server.adminUrl, name));
    await server.embedded?.stop();
  };
}
