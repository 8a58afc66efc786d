// Every migration goes down as well as up: the schema can be rebuilt from nothing and back.
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import pg from "pg";
import { createSequelize } from "../../src/db/sequelize.ts";
import { migrator, migrateUp, pendingMigrations } from "../../src/db/migrator.ts";
import { QueryTypes, type Sequelize } from "sequelize";

const name = `op_migr_${Date.now()}`;
let s: Sequelize;
const admin = () => new pg.Client({ connectionString: inject("adminUrl") });

beforeAll(async () => {
  const c = admin();
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(inject("adminUrl"));
  u.pathname = `/${name}`;
  s = createSequelize(u.toString(), 2);
});
afterAll(async () => {
  await s.close();
  const c = admin();
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}"`);
  await c.end();
});

it("applies every migration, reverts every one, and applies them again", async () => {
  const all = await pendingMigrations(s);
  expect(all.length).toBeGreaterThan(10);
  expect(await migrateUp(s)).toEqual(all);
  expect(await pendingMigrations(s)).toEqual([]);
  await migrator(s).down({ to: 0 });
  const tables = await s.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
    { type: QueryTypes.SELECT },
  );
  expect(tables.map((t) => t.table_name)).toEqual([]);
  expect(await migrateUp(s)).toEqual(all);
});
