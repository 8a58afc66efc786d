// The role × route matrix: every route mounted on the running app and every panel page, called by
// every role and anonymously; each answer must match the reviewed expectation in access.ts.
// A route missing from access.ts fails the test: nobody adds an unreviewed route.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type Platform } from "../../src/server.ts";
import { setupTestDb, testConfig, type TestDb } from "../support/db.ts";
import { loginAs } from "../support/app.ts";
import { ACCESS, expectedOutcomes } from "./access.ts";
import { fill, seedWorld, type Seeded } from "./ids.ts";
import { classify, clientsFor, mountedRoutes, probe, ROLES, type Clients, type MountedRoute, type Outcome, type Role } from "./support.ts";

let db: TestDb;
let app: Platform;
let s: Seeded;
let clients: Clients;
let routes: MountedRoute[];
beforeAll(async () => {
  db = await setupTestDb();
  // The default doors (panel, reports, …): whatever start-up mounts without outside services.
  app = await startPlatform({ cfg: testConfig(), print: () => {} });
  s = await seedWorld();
  clients = await clientsFor(app.url, s.w);
  const day = 86_400_000;
  const outage = await clients.uo.post("/api/outages", {
    resource: "heating",
    kind: "planned",
    startsAt: new Date(Date.now() + day).toISOString(),
    expectedEndAt: new Date(Date.now() + 2 * day).toISOString(),
    reason: "Плановый ремонт теплотрассы",
    buildingIds: [s.w.building.id],
  });
  if (outage.status !== 201) throw new Error(`outage: ${outage.status} ${JSON.stringify(outage.body)}`);
  s.ids.outage = outage.body.id;
  routes = mountedRoutes(app.app);
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

async function call(role: Role, r: MountedRoute): Promise<{ status: number; outcome: Outcome; body: unknown }> {
  // Ending a session is probed on a session of its own, so the role's main session survives.
  const c = /logout$/.test(r.path) && role !== "anon" ? await loginAs(app.url, s.w.users[role === "uo" ? "uoStaff" : role]) : clients[role];
  const res = await probe(c, app.url, r.method, fill(r.path, s), r.method === "GET" ? undefined : {});
  return { status: res.status, outcome: classify(res.status, res.location), body: res.body };
}

describe("role × route matrix", () => {
  it("every mounted route has a reviewed access rule", () => {
    const missing = routes.filter((r) => !ACCESS[r.key]).map((r) => r.key);
    expect(missing, "routes without an entry in test/security/access.ts").toEqual([]);
    expect(routes.length).toBeGreaterThan(50);
  });

  it("every cell answers as expected", { timeout: 480_000 }, async () => {
    const wrong: string[] = [];
    const observed: string[] = [];
    // Destructive routes last, so the seeded rows are there for every other probe.
    const ordered = [...routes].sort((a, b) => Number(a.method !== "GET") - Number(b.method !== "GET"));
    for (const r of ordered) {
      const rule = ACCESS[r.key];
      const line: string[] = [];
      for (const role of ROLES) {
        const got = await call(role, r);
        line.push(`${role}=${got.status}`);
        if (!rule) continue;
        const ok = expectedOutcomes(rule, role);
        if (!ok.includes(got.outcome)) wrong.push(`${r.key} as ${role}: ${got.status} (${got.outcome}), expected ${ok.join("|")} — ${JSON.stringify(got.body).slice(0, 160)}`);
      }
      observed.push(`${r.key}: ${line.join(" ")}`);
      if (process.env.SECURITY_OBSERVE) process.stderr.write(`OBS ${observed.at(-1)}\n`);
    }
    expect(wrong).toEqual([]);
  });
});
