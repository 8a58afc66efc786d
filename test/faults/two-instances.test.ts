// Two app instances (two processes) on one database: a change made through either instance
// reaches the operators and the УО connected to the other one, once. (Cron jobs fire once per tick
// across instances: test/notifications/schedules.test.ts; one AMI link across instances:
// test/telephony/resilience.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, type Child } from "../../bench/lib/child.ts";
import { loginAs } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeWorld, type World } from "../support/factories.ts";
import { openSse, type Sse } from "./support.ts";

let db: TestDb;
let a: Child;
let b: Child;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  const env = { NODE_ENV: "development", DATABASE_URL: db.url, PORT: "0", HOST: "127.0.0.1", DATA_DIR: db.cfg.dataDir, ADMIN_PASSWORD: "fault-admin-password" };
  [a, b] = await Promise.all([startChild("bench/app-child.ts", env), startChild("bench/app-child.ts", env)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db.close();
});

const until = async (ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};
const changes = (s: Sse, id: number) => s.events.filter((e) => e.event === "ticket.changed" && e.data?.id === id).map((e) => e.data.action);

describe("two app instances on one database", () => {
  it("pushes reach operators and the УО on either instance, once each", async () => {
    const opOnA = await loginAs(a.url, w.users.operator);
    const opOnB = await loginAs(b.url, w.users.operator);
    const uoOnA = await loginAs(a.url, w.users.uo);
    const uoOnB = await loginAs(b.url, w.users.uo);
    const streams = {
      opA: await openSse(a.url, opOnA.cookie!),
      opB: await openSse(b.url, opOnB.cookie!),
      uoA: await openSse(a.url, uoOnA.cookie!),
      uoB: await openSse(b.url, uoOnB.cookie!),
    };
    // created through A: the operators on both instances hear create + route, the УО (not yet
    // responsible at "create") hears the routing
    const t = await opOnA.post("/api/tickets", { categoryId: 8, description: "Течёт кран", buildingId: w.building.id, channel: "phone" });
    expect(t.status).toBe(201);
    const id = t.body.id as number;
    await until(() => changes(streams.opA, id).length >= 2 && changes(streams.opB, id).length >= 2 && changes(streams.uoA, id).length >= 1 && changes(streams.uoB, id).length >= 1);
    expect(changes(streams.opA, id)).toEqual(["create", "route"]);
    expect(changes(streams.opB, id)).toEqual(["create", "route"]);
    expect(changes(streams.uoA, id)).toEqual(["route"]);
    expect(changes(streams.uoB, id)).toEqual(["route"]);
    // assigned through B: heard on A too
    const as = await uoOnB.post(`/api/tickets/${id}/actions/assign`, { executorOrgId: w.contractor.id });
    expect(as.status).toBe(200);
    await until(() => changes(streams.opA, id).length >= 3 && changes(streams.uoA, id).length >= 2);
    expect(changes(streams.opA, id)).toEqual(["create", "route", "assign"]);
    expect(changes(streams.uoA, id)).toEqual(["route", "assign"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(changes(streams.opB, id)).toEqual(["create", "route", "assign"]);
    for (const s of Object.values(streams)) s.close();
  });
});
