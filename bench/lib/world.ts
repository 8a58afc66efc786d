// Bench data set-up through the real models (the bench process talks to the bench database).
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { loadConfig, setConfig } from "../../src/config.ts";
import { createSequelize, setSequelize } from "../../src/db/sequelize.ts";
import { initModels } from "../../src/models/index.ts";
import "../../src/policies/all.ts";
import type { Sequelize } from "sequelize";

let current: { url: string; s: Sequelize } | undefined;

/** Connects this process's core (models, config) to the bench database. */
export function useBenchDb(url: string): Sequelize {
  if (current?.url === url) return current.s;
  const cfg = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "op-bench-")),
    LOG_LEVEL: "silent",
  });
  setConfig(cfg);
  const s = createSequelize(url, 10);
  setSequelize(s);
  initModels(s);
  current = { url, s };
  return s;
}

export async function closeBenchDb(): Promise<void> {
  await current?.s.close();
  current = undefined;
}

export const appEnv = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
  NODE_ENV: "development",
  DATABASE_URL: url,
  PORT: "0",
  HOST: "127.0.0.1",
  DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "op-bench-app-")),
  ADMIN_PASSWORD: "bench-admin-password",
  LOG_LEVEL: "error",
  ...extra,
});
