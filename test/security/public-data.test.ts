// Public and Open311 outputs carry no personal data: every public answer is scanned for the
// resident's and the contact's name, phone (in every spelling), e-mail, apartment and personal
// account, and for personal field names; a description appears only once staff marked it publishable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/server.ts";
import { Apartment } from "../../src/models/Building.ts";
import { Resident } from "../../src/models/Resident.ts";
import { client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, createTicket, makeWorld, type World } from "../support/factories.ts";
import { startPlatform } from "../../src/server.ts";
import { testConfig } from "../support/db.ts";

let db: TestDb;
let app: Platform;
let w: World;
let numbers: string[] = [];
const SECRET = {
  residentName: "Секретова Агриппина Викентьевна",
  residentPhone: "+79120001122",
  email: "agrippina.secret@example.ru",
  contactName: "Тайнова Евлампия",
  contactPhone: "+79123334455",
  account: "ЛС-987654321",
  descriptionPhone: "89125556677",
};

beforeAll(async () => {
  db = await setupTestDb();
  app = await startPlatform({ cfg: testConfig(), print: () => {} });
  w = await makeWorld();
  await Resident.update({ fullName: SECRET.residentName, phone: SECRET.residentPhone, email: SECRET.email }, { where: { id: w.resident.id } });
  await Apartment.update({ personalAccount: SECRET.account, ownerName: SECRET.residentName }, { where: { id: w.apartments[0]!.id } });
  const op = actorOf(w.users.operator);
  const hidden = await createTicket(op, {
    buildingId: w.building.id,
    apartmentId: w.apartments[0]!.id,
    residentId: w.resident.id,
    contactName: SECRET.contactName,
    contactPhone: SECRET.contactPhone,
    description: `Течёт кран, звонить ${SECRET.descriptionPhone}, ${SECRET.contactName}`,
  });
  const shown = await createTicket(op, { buildingId: w.building.id, residentId: w.resident.id, description: "Не горит свет в подъезде" });
  await act(op, shown.id, "set_publishable", { publishable: true });
  numbers = [hidden.number, shown.number];
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const digits = (s: string) => s.replace(/\D/g, "");
function leaks(body: string): string[] {
  const found: string[] = [];
  const flat = body.toLowerCase();
  for (const [k, v] of Object.entries(SECRET)) if (flat.includes(v.toLowerCase())) found.push(`${k}: ${v}`);
  for (const p of [SECRET.residentPhone, SECRET.contactPhone, SECRET.descriptionPhone]) {
    const tail = digits(p).slice(-10);
    if (digits(body).includes(tail)) found.push(`phone digits ${tail}`);
  }
  for (const field of ["contact_name", "contactName", "contact_phone", "contactPhone", "phone", "email", "full_name", "fullName", "personal_account", "personalAccount", "apartment", "owner_name", "residentId", "resident_id"]) {
    if (new RegExp(`"${field}"\\s*:|<${field}>`, "i").test(body)) found.push(`field ${field}`);
  }
  return found;
}

describe("public outputs carry no personal data", () => {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const paths = () => [
    `/open/v1/tickets?from=${from}&to=${tomorrow}`,
    `/open/v1/tickets?from=${from}&to=${tomorrow}&format=csv`,
    `/open/v1/stats?from=${from}&to=${tomorrow}&by=building`,
    `/open/v1/stats?from=${from}&to=${tomorrow}&by=uo&format=csv`,
    `/open/v1/outages?buildingId=${w.building.id}`,
    `/open311/v2/discovery.json`,
    `/open311/v2/services.json?jurisdiction_id=pechora`,
    `/open311/v2/services.xml?jurisdiction_id=pechora`,
    `/open311/v2/requests.json?jurisdiction_id=pechora&start_date=${from}T00:00:00Z`,
    `/open311/v2/requests.xml?jurisdiction_id=pechora&start_date=${from}T00:00:00Z`,
    ...numbers.flatMap((n) => [`/open311/v2/requests/${n}.json?jurisdiction_id=pechora`, `/open311/v2/requests/${n}.xml?jurisdiction_id=pechora`]),
    `/status`,
    `/zayavka`,
    `/api/categories`,
  ];

  it("answers every public path without signing in, and none leaks", async () => {
    const anon = client(app.url);
    const report: string[] = [];
    for (const p of paths()) {
      const r = await anon.request("GET", p);
      const text = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
      expect(r.status, `${p}: ${text.slice(0, 200)}`).toBe(200);
      const l = leaks(text);
      if (l.length) report.push(`${p}: ${l.join(", ")}`);
    }
    expect(report).toEqual([]);
    void today;
  });

  it("the feed lists both tickets, with a description only for the publishable one", async () => {
    const r = await client(app.url).get(`/open/v1/tickets?from=${from}&to=${tomorrow}`);
    const mine = (r.body.items as Array<{ number: string; description: string | null }>).filter((t) => numbers.includes(t.number));
    expect(mine.map((t) => t.number).sort()).toEqual([...numbers].sort());
    const byNumber = Object.fromEntries(mine.map((t) => [t.number, t.description]));
    expect(byNumber[numbers[0]!] || null).toBeNull();
    expect(byNumber[numbers[1]!]).toBe("Не горит свет в подъезде");
    const o = await client(app.url).get(`/open311/v2/requests/${numbers[0]}.json?jurisdiction_id=pechora`);
    expect(o.status).toBe(200);
    expect(o.body[0].description ?? null).toBeNull();
  });
});
