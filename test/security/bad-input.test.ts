// Runs the bad-input corpus (corpus.ts, ≥ 200 cases) against the running app: every case is
// refused with a 4xx, a stable error id and a Russian message, and nothing is written — the row
// counts and fingerprints of every table it could touch, and the stored files, stay the same.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type Platform } from "../../src/server.ts";
import { loginAs, client, type Client } from "../support/app.ts";
import { setupTestDb, testConfig, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeBuilding, makeWorld, type World } from "../support/factories.ts";
import { corpus, type BadCase, type CorpusIds } from "./corpus.ts";

let db: TestDb;
let app: Platform;
let w: World;
let ids: CorpusIds;
let clients: Record<BadCase["as"], Client>;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startPlatform({ cfg: testConfig({ UPLOAD_MAX_BYTES: "65536" }), print: () => {} });
  w = await makeWorld();
  const other = await makeBuilding(w.uo, 1);
  const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
  clients = {
    anon: client(app.url),
    operator: await loginAs(app.url, w.users.operator),
    uo: await loginAs(app.url, w.users.uo),
    contractor: await loginAs(app.url, w.users.contractor),
    admin: await loginAs(app.url, w.users.admin),
  };
  const day = 86_400_000;
  const o = await clients.uo.post("/api/outages", {
    resource: "heating",
    kind: "planned",
    startsAt: new Date(Date.now() + day).toISOString(),
    expectedEndAt: new Date(Date.now() + 2 * day).toISOString(),
    reason: "ремонт",
    buildingIds: [w.building.id],
  });
  if (o.status !== 201) throw new Error(`outage ${o.status}`);
  ids = { ticketId: t.id, buildingId: w.building.id, otherApartmentId: other.apartments[0]!.id, categoryId: t.categoryId, uoId: w.uo.id, contractorId: w.contractor.id, outageId: o.body.id };
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

// outbox rows are marked processed by the notification worker meanwhile: count only
const COUNT_ONLY = new Set(["sessions", "outbox"]);
const TABLES = ["tickets", "ticket_history", "outbox", "attachments", "contact_attempts", "outages", "users", "api_tokens", "organisations", "buildings", "apartments", "residents", "categories", "calendar_days", "sessions"];

/** Row count and content hash of every table a case could write to. */
async function fingerprint(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const [exists] = await db.sequelize.query<{ r: string | null }>(`SELECT to_regclass($1)::text AS r`, { bind: [t], type: QueryTypes.SELECT });
    if (!exists?.r) continue;
    const sql = COUNT_ONLY.has(t) ? `SELECT count(*)::text AS f FROM sessions` : `SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS f FROM ${t} x`;
    const [row] = await db.sequelize.query<{ f: string }>(sql, { type: QueryTypes.SELECT });
    out[t] = row!.f;
  }
  return out;
}

function files(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += files(p);
    else if (statSync(p).size >= 0) n++;
  }
  return n;
}

async function send(c: BadCase): Promise<{ status: number; body: any }> {
  const cl = clients[c.as];
  const h: Record<string, string> = {};
  if (cl.cookie) h.cookie = cl.cookie;
  if (cl.csrf && c.method !== "GET") h["x-csrf-token"] = cl.csrf;
  let body: BodyInit | undefined;
  if (c.json !== undefined) {
    body = JSON.stringify(c.json);
    h["content-type"] = "application/json";
  } else if (c.raw) {
    body = typeof c.raw.body === "string" ? c.raw.body : new Blob([new Uint8Array(c.raw.body)]);
    h["content-type"] = c.raw.type;
  } else if (c.multipart) {
    const fd = new FormData();
    for (const p of c.multipart) {
      if (typeof p.value === "string") fd.append(p.field, p.value);
      else fd.append(p.field, new Blob([new Uint8Array(p.value.data)], { type: p.value.type }), p.value.name);
    }
    body = fd;
  }
  const res = await fetch(app.url + c.path, { method: c.method, headers: h, body, redirect: "manual", signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

describe("bad-input corpus", () => {
  it("has at least 200 cases", () => {
    expect(corpus(ids).length).toBeGreaterThanOrEqual(200);
  });

  it("refuses every case clearly and writes nothing", { timeout: 300_000 }, async () => {
    const dataDir = app.cfg.dataDir;
    const before = await fingerprint();
    const filesBefore = files(dataDir);
    const wrong: string[] = [];
    for (const c of corpus(ids)) {
      let r: { status: number; body: any };
      try {
        r = await send(c);
      } catch (err) {
        wrong.push(`${c.name}: request failed (${(err as Error).message})`);
        continue;
      }
      const e = r.body?.error;
      if (r.status < 400 || r.status >= 500) wrong.push(`${c.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      else if (typeof e?.id !== "string" || !/^[a-z0-9_]+$/.test(e.id) || typeof e?.message !== "string" || !/[а-яё]/i.test(e.message))
        wrong.push(`${c.name}: ${r.status} without a clear error: ${JSON.stringify(r.body).slice(0, 160)}`);
      const after = await fingerprint();
      const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
      if (changed.length) {
        wrong.push(`${c.name}: wrote to ${changed.join(", ")}`);
        Object.assign(before, after);
      }
    }
    expect(files(dataDir), "files stored by refused uploads").toBe(filesBefore);
    expect(wrong).toEqual([]);
  });
});
