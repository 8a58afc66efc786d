// The outage API: registration by УО and РСО, bad input with clear errors and nothing written,
// scoping, updates, listing and the ПП 354 flags on the card.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Outage } from "../../src/models/Outage.ts";
import type { Platform } from "../../src/server.ts";
import { loginAs, startTestApp, type Client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeBuilding, makeWorld, type World } from "../support/factories.ts";

let db: TestDb;
let app: Platform;
let w: World;
let uo: Client;
let rso: Client;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
  w = await makeWorld();
  uo = await loginAs(app.url, w.users.uo);
  rso = await loginAs(app.url, w.users.supplier);
});
afterAll(async () => {
  await app?.stop();
  await db?.close();
});

const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const base = () => ({ resource: "hot_water", kind: "planned", startsAt: at(24), expectedEndAt: at(30), reason: "Замена задвижки" });

describe("registering outages", () => {
  it("registers by building ids and by street and house range, and lists them", async () => {
    const street = `ул. Диапазонная ${Date.now()}`;
    const { Building } = await import("../../src/models/Building.ts");
    const houses = ["1", "2", "3", "5а", "7", "10"];
    for (const house of houses) await Building.create({ settlement: "г. Печора", cityDistrict: null, street, house, uoId: w.uo.id, latitude: null, longitude: null });
    const r = await uo.post("/api/outages", { ...base(), streets: [{ street, from: 2, to: 7, parity: "odd" }] });
    expect(r.status).toBe(201);
    expect(r.body.buildings.map((b: { address: string }) => b.address.split("д. ")[1]).sort()).toEqual(["3", "5а", "7"]);
    expect(r.body).toMatchObject({ resource: "hot_water", resourceLabel: "горячее водоснабжение", state: "upcoming", reason: "Замена задвижки" });
    const list = await rso.get(`/api/outages?buildingId=${r.body.buildings[0].id}`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((o: { id: number }) => o.id)).toContain(r.body.id);
  });

  it("refuses bad input with clear Russian messages and writes nothing", async () => {
    const before = await Outage.count();
    const endFirst = await uo.post("/api/outages", { ...base(), expectedEndAt: at(20), buildingIds: [w.building.id] });
    expect(endFirst.status).toBe(400);
    expect(endFirst.body.error.id).toBe("validation_failed");
    expect(endFirst.body.error.message).toContain("окончание отключения должно быть позже начала");
    const unknown = await uo.post("/api/outages", { ...base(), buildingIds: [w.building.id, 99999999] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("дома не найдены: 99999999");
    const noStreet = await uo.post("/api/outages", { ...base(), streets: [{ street: "ул. Несуществующая" }] });
    expect(noStreet.status).toBe(400);
    const badResource = await uo.post("/api/outages", { ...base(), resource: "internet", buildingIds: [w.building.id] });
    expect(badResource.status).toBe(400);
    expect(await Outage.count()).toBe(before);
  });

  it("refuses an overlapping duplicate but accepts another resource or time", async () => {
    const { building } = await makeBuilding(w.uo, 1);
    const first = await uo.post("/api/outages", { ...base(), buildingIds: [building.id] });
    expect(first.status).toBe(201);
    const dup = await rso.post("/api/outages", { ...base(), startsAt: at(26), expectedEndAt: at(40), buildingIds: [building.id, w.building.id] });
    expect(dup.status).toBe(409);
    expect(dup.body.error.id).toBe("outage_duplicate");
    expect(dup.body.error.message).toContain(`№ ${first.body.id}`);
    expect((await uo.post("/api/outages", { ...base(), resource: "cold_water", buildingIds: [building.id] })).status).toBe(201);
    expect((await uo.post("/api/outages", { ...base(), startsAt: at(31), expectedEndAt: at(33), buildingIds: [building.id] })).status).toBe(201);
  });

  it("lets only УО and РСО staff register, only for buildings they serve, and only the owner change it", async () => {
    const contractor = await loginAs(app.url, w.users.contractor);
    const c = await contractor.post("/api/outages", { ...base(), buildingIds: [w.building.id] });
    expect(c.status).toBe(403);
    const other = await makeWorld();
    const foreign = await uo.post("/api/outages", { ...base(), buildingIds: [other.building.id] });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain("не обслуживаются вашей организацией");
    const mine = await rso.post("/api/outages", { ...base(), resource: "electricity", buildingIds: [w.building.id] });
    expect(mine.status).toBe(201);
    const otherUo = await loginAs(app.url, other.users.uo);
    expect((await otherUo.request("PATCH", `/api/outages/${mine.body.id}`, { reason: "Чужая правка" })).status).toBe(403);
    const upd = await rso.request("PATCH", `/api/outages/${mine.body.id}`, { expectedEndAt: at(34), expectedVersion: 0 });
    expect(upd.status).toBe(200);
    expect(upd.body.version).toBe(1);
    const stale = await rso.request("PATCH", `/api/outages/${mine.body.id}`, { reason: "Устаревшая форма", expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.id).toBe("outage_changed");
    const unauth = await fetch(`${app.url}/api/outages`);
    expect(unauth.status).toBe(401);
  });

  it("shows ПП 354 flags on the card of an outage that exceeds the norm", async () => {
    const { building } = await makeBuilding(w.uo, 1);
    const r = await uo.post("/api/outages", { ...base(), resource: "cold_water", startsAt: at(48), expectedEndAt: at(54), buildingIds: [building.id] });
    expect(r.status).toBe(201);
    expect(r.body.normFlags).toEqual([
      expect.objectContaining({ buildingId: building.id, rule: "single", hours: 6, limitHours: 4, legalRef: expect.stringContaining("№ 354") }),
    ]);
    const restore = await uo.post(`/api/outages/${r.body.id}/restore`, {});
    expect(restore.status).toBe(400); // cannot be restored before it started
  });

  it("shows the dead letters to the admin only", async () => {
    expect((await uo.get("/api/notifications/dead-letters")).status).toBe(403);
    const admin = await loginAs(app.url, w.users.admin);
    const r = await admin.get("/api/notifications/dead-letters");
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.items)).toBe(true);
    expect((await admin.get("/api/notifications/backlog")).body.outbox).toHaveProperty("pending");
  });
});
