// Creates one fresh database for this test run and drops it at the end. The server is, in order:
// TEST_DATABASE_URL, a PostgreSQL answering on 127.0.0.1:5432 (user postgres), or the embedded one.
// It never touches a database it did not create.
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { rootDir } from "../../src/config.ts";
import { startEmbedded, type EmbeddedHandle } from "../../src/db/embedded.ts";
import { createSequelize } from "../../src/db/sequelize.ts";
import { migrateUp } from "../../src/db/migrator.ts";
import { initModels } from "../../src/models/index.ts";
import { seedReference } from "../../src/reference/seed.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminUrl: string;
    /** A migrated, seeded database nobody connects to: each test file gets its own copy of it. */
    templateDb: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

let embedded: EmbeddedHandle | undefined;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const local = "postgres://postgres@127.0.0.1:5432/postgres";
    if (await answers(local)) adminUrl = local;
    else {
      embedded = await startEmbedded(path.join(rootDir, "data", "test"), Number(process.env.TEST_EMBEDDED_PORT ?? 5499), "postgres");
      adminUrl = embedded.url("postgres");
    }
  }
  const name = `op_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDb(adminUrl, name);
  const s = createSequelize(url, 2);
  initModels(s);
  await migrateUp(s);
  await seedReference(s);
  await s.close();
  const template = `${name}_tpl`;
  const a2 = new pg.Client({ connectionString: adminUrl });
  await a2.connect();
  await a2.query(`CREATE DATABASE "${template}" TEMPLATE "${name}"`);
  await a2.end();
  project.provide("databaseUrl", url);
  project.provide("adminUrl", adminUrl);
  project.provide("templateDb", template);

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    // The run's database, its template and every per-file copy (named after it).
    const dbs = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${name}%`]);
    for (const { datname } of dbs.rows) {
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [datname]);
      await c.query(`DROP DATABASE IF EXISTS "${datname}"`);
    }
    await c.end();
    await embedded?.stop();
  };
}
