// Per test file: connect to the run's database and configure the core for tests.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import pg from "pg";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { loadConfig, setConfig, type Config } from "../../src/config.ts";
import { createSequelize, setSequelize } from "../../src/db/sequelize.ts";
import { initModels } from "../../src/models/index.ts";
import "../../src/policies/all.ts";
import type { Sequelize } from "sequelize";

export interface TestDb {
  sequelize: Sequelize;
  url: string;
  cfg: Config;
  close(): Promise<void>;
}

let fileDbUrl: string | undefined;

/**
 * Each test file works in its own copy of the migrated template database, so files running in
 * parallel never see each other's rows, queue jobs or notifications. The copies are dropped at
 * the end of the run (globalSetup).
 */
export async function fileDatabase(): Promise<string> {
  if (fileDbUrl) return fileDbUrl;
  const template = inject("templateDb");
  const name = `${template.replace(/_tpl$/, "")}_f${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: inject("adminUrl") });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (err) {
        // Another file copying the template at the same moment: try again shortly.
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const u = new URL(inject("adminUrl"));
  u.pathname = `/${name}`;
  fileDbUrl = u.toString();
  return fileDbUrl;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const url = fileDbUrl ?? inject("databaseUrl");
  const cfg = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "op-test-")),
    ...overrides,
  });
  return cfg;
}

export async function setupTestDb(overrides: Record<string, string> = {}): Promise<TestDb> {
  await fileDatabase();
  const cfg = testConfig(overrides);
  setConfig(cfg);
  const sequelize = createSequelize(cfg.database.url!, 10);
  setSequelize(sequelize);
  initModels(sequelize);
  return { sequelize, url: cfg.database.url!, cfg, close: () => sequelize.close() };
}
