// Cross-organisation probes: staff of district slice A ask for slice B's rows by id on every
// resource. The answer is a refusal (404 for what they may not know exists, 403 otherwise),
// never B's data, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform, type Platform } from "../../src/server.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { loginAs, type Client } from "../support/app.ts";
import { setupTestDb, testConfig, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeWorld, PNG, type World } from "../support/factories.ts";
import { probe } from "./support.ts";

let db: TestDb;
let app: Platform;
let a: World;
let b: World;
const B: Record<string, number | string> = {};
let probers: Record<string, Client>;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startPlatform({ cfg: testConfig(), print: () => {} });
  a = await makeWorld();
  b = await makeWorld();
  const t = await createTicket(actorOf(b.users.operator), { buildingId: b.building.id, residentId: b.resident.id, description: "Секрет Б: течёт кран" });
  await act(actorOf(b.users.uo), t.id, "assign", { executorOrgId: b.contractor.id });
  const att = await addWorkOrder(actorOf(b.users.contractor), t.id);
  B.ticket = t.id;
  B.number = t.number;
  B.attachment = att.id;
  const bUo = await loginAs(app.url, b.users.uo);
  const day = 86_400_000;
  const o = await bUo.post("/api/outages", {
    resource: "hot_water",
    kind: "planned",
    startsAt: new Date(Date.now() + day).toISOString(),
    expectedEndAt: new Date(Date.now() + 2 * day).toISOString(),
    reason: "Секрет Б: ремонт",
    buildingIds: [b.building.id],
  });
  expect(o.status).toBe(201);
  B.outage = o.body.id;
  probers = {
    uo: await loginAs(app.url, a.users.uo),
    contractor: await loginAs(app.url, a.users.contractor),
    supplier: await loginAs(app.url, a.users.supplier),
  };
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const probes = (): Array<[string, string, unknown?]> => [
  ["GET", `/api/tickets/${B.ticket}`],
  ["GET", `/api/tickets/${B.ticket}/actions`],
  ["GET", `/api/tickets/${B.ticket}/contact-attempts`],
  ["POST", `/api/tickets/${B.ticket}/contact-attempts`, { outcome: "no_answer" }],
  ["POST", `/api/tickets/${B.ticket}/actions/accept`, {}],
  ["POST", `/api/tickets/${B.ticket}/actions/reject`, { reason: "не наш дом" }],
  ["POST", `/api/tickets/${B.ticket}/actions/set_publishable`, { publishable: true }],
  ["GET", `/api/attachments/${B.attachment}`],
  ["GET", `/panel/tickets/${B.ticket}`],
  ["POST", `/panel/tickets/${B.ticket}/act/accept`, {}],
  ["PATCH", `/api/outages/${B.outage}`, { reason: "взлом" }],
  ["POST", `/api/outages/${B.outage}/cancel`, { reason: "взлом" }],
  ["POST", `/api/outages/${B.outage}/restore`, {}],
  ["GET", `/api/organisations/${b.uo.id}/staff`],
  ["GET", `/api/personal-data/residents/${b.resident.id}/export`],
  ["POST", `/api/personal-data/residents/${b.resident.id}/anonymise`, {}],
  ["POST", `/api/onboarding/organisations/${b.uo.id}/buildings/import`, {}],
];

describe("cross-organisation probes by id", () => {
  for (const who of ["uo", "contractor", "supplier"]) {
    it(`${who} of slice A gets a refusal and none of B's data`, async () => {
      const before = { history: await TicketHistory.count({ where: { ticketId: B.ticket } }), ticket: (await Ticket.findByPk(B.ticket))!.version };
      const wrong: string[] = [];
      for (const [method, path, body] of probes()) {
        const r = await probe(probers[who]!, app.url, method, path, body);
        const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
        // panel forms answer with a redirect and a message; that nothing changed is checked below
        const refused = r.status === 403 || r.status === 404 || (r.status === 302 && path.startsWith("/panel/") && method === "POST");
        if (!refused) wrong.push(`${method} ${path}: ${r.status} ${text.slice(0, 120)}`);
        if (text.includes("Секрет Б") || text.includes(String(B.number)) || text.includes(b.resident.phone ?? "—")) wrong.push(`${method} ${path}: leaks B's data`);
      }
      expect(wrong).toEqual([]);
      expect(await TicketHistory.count({ where: { ticketId: B.ticket } })).toBe(before.history);
      expect((await Ticket.findByPk(B.ticket))!.version).toBe(before.ticket);
    });
  }

  it("lists filtered by B's ids show none of B's rows", async () => {
    for (const c of Object.values(probers)) {
      for (const q of [`uoId=${b.uo.id}`, `executorOrgId=${b.contractor.id}`, `buildingId=${b.building.id}`, `residentId=${b.resident.id}`, `q=${encodeURIComponent(String(B.number))}`]) {
        const r = await probe(c, app.url, "GET", `/api/tickets?${q}`);
        expect(r.status).toBe(200);
        expect((r.body as { items: Array<{ id: number }> }).items.map((t) => t.id)).not.toContain(B.ticket);
      }
      const o = await probe(c, app.url, "GET", `/api/outages/${B.outage}`);
      // outages are public knowledge for staff (they are published to residents); their editing is not
      expect([200, 403, 404]).toContain(o.status);
    }
  });

  it("an upload to B's ticket is refused and stores nothing", async () => {
    const fd = new FormData();
    fd.append("file", new Blob([PNG], { type: "image/png" }), "x.png");
    fd.append("kind", "photo");
    const res = await fetch(`${app.url}/api/tickets/${B.ticket}/attachments`, {
      method: "POST",
      headers: { cookie: probers.contractor!.cookie!, "x-csrf-token": probers.contractor!.csrf! },
      body: fd,
    });
    expect([403, 404]).toContain(res.status);
  });
});
