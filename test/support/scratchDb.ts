// Databases of our own for tests and the bench: on TEST_DATABASE_URL, else a PostgreSQL answering
// on 127.0.0.1:5432 (user postgres), else the embedded one. Created fresh, migrated and seeded;
// never a database we did not create.
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { rootDir } from "../../src/config.ts";
import { startEmbedded, type EmbeddedHandle } from "../../src/db/embedded.ts";
import { createSequelize } from "../../src/db/sequelize.ts";
import { migrateUp } from "../../src/db/migrator.ts";
import { initModels } from "../../src/models/index.ts";
import { seedReference } from "../../src/reference/seed.ts";

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

export interface PgServer {
  adminUrl: string;
  embedded?: EmbeddedHandle;
}

/** The server to create scratch databases on; the embedded one lives under data/<folder>. */
export async function pgServer(folder: string, embeddedPort: number): Promise<PgServer> {
  if (process.env.TEST_DATABASE_URL) return { adminUrl: process.env.TEST_DATABASE_URL };
  const local = "postgres://postgres@127.0.0.1:5432/postgres";
  if (await answers(local)) return { adminUrl: local };
  const embedded = await startEmbedded(path.join(rootDir, "data", folder), embeddedPort, "postgres");
  return { adminUrl: embedded.url("postgres"), embedded };
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Drops the named databases, ending their connections first. */
export async function dropDatabases(adminUrl: string, names: string[]): Promise<void> {
  await admin(adminUrl, async (c) => {
    for (const name of names) {
      await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      await c.query(`DROP DATABASE IF EXISTS "${name}"`);
    }
  });
}

export async function databasesLike(adminUrl: string, prefix: string): Promise<string[]> {
  return admin(adminUrl, async (c) => (await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${prefix}%`])).rows.map((r) => r.datname));
}

/** A fresh database `<prefix>_<time>_<random>`, migrated and seeded; a failed migration leaves nothing behind. */
export async function createMigratedDb(adminUrl: string, prefix: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString("hex")}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDb(adminUrl, name);
  const s = createSequelize(url, 2);
  try {
    initModels(s);
    await migrateUp(s);
    await seedReference(s);
  } catch (err) {
    await s.close().catch(() => {});
    await dropDatabases(adminUrl, [name]);
    throw err;
  } finally {
    await s.close().catch(() => {});
  }
  return { name, url };
}

/** A copy of `template` (which nobody may be connected to) named `name`. */
export async function copyDatabase(adminUrl: string, template: string, name: string): Promise<void> {
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
}
