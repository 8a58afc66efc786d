// Per test file: connect to the run's database and configure the core for tests.
import { mkdtempSync } from "node:fs";
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

export function testConfig(overrides: Record<string, string> = {}): Config {
  const url = inject("databaseUrl");
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
  const cfg = testConfig(overrides);
  setConfig(cfg);
  const sequelize = createSequelize(cfg.database.url!, 10);
  setSequelize(sequelize);
  initModels(sequelize);
  return { sequelize, url: cfg.database.url!, cfg, close: () => sequelize.close() };
}
