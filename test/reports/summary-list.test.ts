// The ticket list's total: exact (and said so) up to LIST_COUNT_CAP, scoped like the items.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIST_COUNT_CAP } from "../../src/routes/api/tickets.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import { startTestApp, loginAs } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeOrg, makeUser, makeWorld, type World } from "../support/factories.ts";

let db: TestDb;
let w: World;
let app: Awaited<ReturnType<typeof startTestApp>>;

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  app = await startTestApp();
}, 60_000);
afterAll(async () => {
  await app.stop();
  await db.close();
});

describe("ticket list total", () => {
  it("is the exact count of the actor's matching tickets, marked exact", async () => {
    for (let i = 0; i < 3; i++) await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    const uo = await loginAs(app.url, w.users.uo);
    const page = await uo.get(`/api/tickets?buildingId=${w.building.id}&perPage=2&page=1&sort=priority`);
    expect(page.status).toBe(200);
    const count = await Ticket.count({ where: { buildingId: w.building.id } });
    expect([page.body.items.length, page.body.total, page.body.totalExact]).toEqual([2, count, true]);
    expect(count).toBeLessThan(LIST_COUNT_CAP);
    const stranger = await loginAs(app.url, await makeUser("uo", await makeOrg("management_company")));
    const none = await stranger.get(`/api/tickets?buildingId=${w.building.id}`);
    expect([none.body.items.length, none.body.total, none.body.totalExact]).toEqual([0, 0, true]);
  });
});
