// Two instances starting at once on an empty database both start; one administrator is created.
import pg from "pg";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { bootstrap } from "../../src/bootstrap.ts";
import { createSequelize, setSequelize } from "../../src/db/sequelize.ts";
import { migrateUp } from "../../src/db/migrator.ts";
import { initModels } from "../../src/models/index.ts";
import { User } from "../../src/models/User.ts";
import { testConfig } from "../support/db.ts";
import type { Sequelize } from "sequelize";

const adminUrl = inject("adminUrl");
const name = `op_test_boot_${Date.now()}_${randomBytes(3).toString("hex")}`;
let s: Sequelize;
const sql = async (q: string) => {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(q);
  await c.end();
};

beforeAll(async () => {
  await sql(`CREATE DATABASE "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  s = createSequelize(u.toString(), 4);
  setSequelize(s);
  initModels(s);
  await migrateUp(s);
}, 120_000);
afterAll(async () => {
  await s.close();
  await sql(`DROP DATABASE IF EXISTS "${name}"`);
});

it("creates exactly one administrator when two instances bootstrap together", async () => {
  const cfg = testConfig({ ADMIN_PASSWORD: "admin-password-123" });
  await Promise.all([bootstrap(s, cfg, () => {}), bootstrap(s, cfg, () => {}), bootstrap(s, cfg, () => {})]);
  expect(await User.count({ where: { role: "admin" } })).toBe(1);
}, 120_000);
