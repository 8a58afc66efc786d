// The bench's own database: created fresh on the same server the tests use (TEST_DATABASE_URL,
// else PostgreSQL on 127.0.0.1:5432, else the embedded one), migrated and seeded, dropped after.
// Same choice as test/support/globalSetup.ts; it never touches a database it did not create.
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { rootDir } from "../../src/config.ts";
import { startEmbedded, type EmbeddedHandle } from "../../src/db/embedded.ts";
import { createSequelize } from "../../src/db/sequelize.ts";
import { migrateUp } from "../../src/db/migrator.ts";
import { initModels } from "../../src/models/index.ts";
import { seedReference } from "../../src/reference/seed.ts";

export interface BenchDb {
  url: string;
  adminUrl: string;
  name: string;
  drop(): Promise<void>;
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

export function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function createBenchDb(): Promise<BenchDb> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let embedded: EmbeddedHandle | undefined;
  if (!adminUrl) {
    const local = "postgres://postgres@127.0.0.1:5432/postgres";
    if (await answers(local)) adminUrl = local;
    else {
      embedded = await startEmbedded(path.join(rootDir, "data", "bench"), Number(process.env.BENCH_EMBEDDED_PORT ?? 5497), "postgres");
      adminUrl = embedded.url("postgres");
    }
  }
  const name = `op_bench_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDb(adminUrl, name);
  const drop = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await c.query(`DROP DATABASE IF EXISTS "${name}"`);
    await c.end();
    await embedded?.stop();
  };
  const s = createSequelize(url, 2);
  try {
    initModels(s);
    await migrateUp(s);
    await seedReference(s);
  } catch (err) {
    await s.close().catch(() => {});
    await drop(); // a failed migration leaves nothing behind
    throw err;
  }
  await s.close();
  return { url, adminUrl, name, drop };
}
