// Abuse limits of the doors open to anyone, counted in PostgreSQL: the resident form per address,
// failed status look-ups per address (still counted after a restart), connection requests per
// address, Open311 creates per client. Past the limit: 429 with a Russian message, nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { panelDoor } from "../../src/panel/door.ts";
import { ConnectionRequest } from "../../src/models/ConnectionRequest.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import { createOpen311Client } from "../../src/open311/clients.ts";
import { reportsDoor } from "../../src/routes/open/door.ts";
import type { Platform } from "../../src/server.ts";
import { startTestApp } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, createTicket, makeBuilding, makeWorld, uid, type World } from "../support/factories.ts";
import { FormClient, hidden } from "../panel/formClient.ts";
import { randomInn, validCard } from "../onboarding/fixtures.ts";

const LIMITS = {
  LIMIT_RESIDENT_FORM_PER_IP_PER_HOUR: "2",
  LIMIT_STATUS_FAILURES_PER_IP: "3",
  LIMIT_CONNECT_PER_IP_PER_HOUR: "1",
  LIMIT_OPEN311_PER_CLIENT_PER_HOUR: "2",
};

let db: TestDb;
let app: Platform;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp({ doors: [panelDoor, reportsDoor], env: LIMITS });
  w = await makeWorld();
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

/** Budgets count in fixed windows (15 min, 1 h): a test does not start in a window's last seconds. */
async function awayFromWindowEdge() {
  const left = 900_000 - (Date.now() % 900_000);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 500));
}

describe("resident web form and status page", () => {
  it("the form takes a few requests per address an hour, then refuses without writing", async () => {
    await awayFromWindowEdge();
    const { building, apartments } = await makeBuilding(w.uo, 3);
    const c = new FormClient(app.url);
    const form = await c.get("/zayavka");
    const submit = (i: number) => {
      const f = new FormData();
      f.set("_pcsrf", hidden(form.text, "_pcsrf"));
      f.set("name", "Мария");
      f.set("phone", `+7913${String(Date.now() + i).slice(-7)}`);
      f.set("buildingId", String(building.id));
      f.set("apartmentId", String(apartments[i]!.id));
      f.set("categoryId", form.text.match(/<option value="(\d+)">/)![1]!);
      f.set("description", "Не горит свет в подъезде");
      f.set("consent", "on");
      return c.postMultipart("/zayavka", f, "");
    };
    expect((await submit(0)).text).toContain("принята");
    expect((await submit(1)).text).toContain("принята");
    const before = await Ticket.count({ where: { buildingId: building.id } });
    const refused = await submit(2);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text).error).toMatchObject({ id: "rate_limited", message: expect.stringMatching(/Повторите через \d+ мин/) });
    expect(await Ticket.count({ where: { buildingId: building.id } })).toBe(before);
  });

  it("failed status look-ups are limited per address, and the count survives a restart", async () => {
    await awayFromWindowEdge();
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    const c = new FormClient(app.url);
    const token = hidden((await c.get("/status")).text, "_pcsrf");
    for (let i = 0; i < 3; i++) {
      const wrong = await c.post("/status", { _pcsrf: token, number: t.number, phone: `+7999000000${i}` });
      expect(wrong.text).toContain("Заявка не найдена");
    }
    const right = { _pcsrf: token, number: t.number, phone: w.resident.phone! };
    const limited = await c.post("/status", right);
    expect(limited.text).toContain("Слишком много неудачных попыток");
    expect(limited.text).not.toContain(t.description);
    await app.stop();
    app = await startTestApp({ doors: [panelDoor, reportsDoor], env: LIMITS });
    const c2 = new FormClient(app.url);
    const again = await c2.post("/status", { ...right, _pcsrf: hidden((await c2.get("/status")).text, "_pcsrf") });
    expect(again.text).toContain("Слишком много неудачных попыток");
  });
});

describe("connection requests", () => {
  it("one address sends a limited number of requests an hour; the next is refused on the form, nothing stored", async () => {
    await awayFromWindowEdge();
    const c = new FormClient(app.url);
    const send = async () => {
      const tag = uid();
      const f = new FormData();
      f.set("_pcsrf", hidden((await c.get("/connect/executor")).text, "_pcsrf"));
      f.set("orgType", "contractor");
      const card = validCard({ inn: randomInn(), shortName: `ООО «Лимит ${tag}»`, email: `lim-${tag}@pechora.ru` });
      for (const [k, v] of Object.entries(card)) f.set(`card.${k}`, v);
      f.set("staff.0.fullName", "Смирнова Ольга Ивановна");
      f.set("staff.0.position", "Диспетчер");
      f.set("staff.0.email", `disp-${tag}@pechora.ru`);
      f.set("requesterName", "Иванов Иван Иванович");
      f.set("requesterEmail", `boss-${tag}@pechora.ru`);
      return { page: await c.request("POST", "/connect/executor", f), inn: card.inn! };
    };
    const first = await send();
    expect(first.page.status, first.page.text.slice(0, 300)).toBe(302);
    const second = await send();
    expect(second.page.status).toBe(429);
    expect(second.page.text).toContain("слишком много заявок на подключение");
    expect(await ConnectionRequest.count({ where: { card: { inn: second.inn } } })).toBe(0);
  });
});

describe("Open311", () => {
  it("a client's creates are limited per hour; past the limit an Open311 error, no ticket", async () => {
    await awayFromWindowEdge();
    const { apiKey } = await createOpen311Client(`Лимит ${uid()}`, w.users.admin.id);
    const post = async () => {
      const res = await fetch(`${app.url}/open311/v2/requests.json`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ api_key: apiKey, service_code: "tap_leak", address_id: String(w.building.id), description: "Течёт кран на кухне" }).toString(),
      });
      return { status: res.status, body: await res.json() };
    };
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    const before = await Ticket.count();
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual([{ code: 429, description: expect.stringContaining("лимит") }]);
    expect(await Ticket.count()).toBe(before);
    // another client is not affected
    const other = await createOpen311Client(`Другой ${uid()}`, w.users.admin.id);
    const res = await fetch(`${app.url}/open311/v2/requests.json`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ api_key: other.apiKey, service_code: "tap_leak", address_id: String(w.building.id), description: "Течёт кран в ванной" }).toString(),
    });
    expect(res.status).toBe(201);
  });
});
