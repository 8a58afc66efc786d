// Open311 GeoReport v2 in both formats: discovery, services, definitions, requests GET/POST,
// one request, tokens; the spec's errors; and a POSTed request lands in the УО's queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Building } from "../../src/models/Building.ts";
import { Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { createOpen311Client } from "../../src/open311/clients.ts";
import { reportsDoor } from "../../src/routes/open/door.ts";
import type { Platform } from "../../src/server.ts";
import { loginAs, startTestApp } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeWorld, uid, type World } from "../support/factories.ts";
import { child, flat, kids, parseXml } from "./xml.ts";
import { sequelize } from "../../src/db/sequelize.ts";

let db: TestDb;
let app: Platform;
let w: World;
let apiKey: string;
let clientId: number;
let building: Building;
const base = () => `${app.url}/open311/v2`;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp({ doors: [reportsDoor] });
  w = await makeWorld();
  building = await Building.create({ settlement: "г. Печора", cityDistrict: null, street: `ул. Открытая ${uid()}`, house: "12", buildingPart: "2", uoId: w.uo.id, latitude: 65.1591, longitude: 57.2203 });
  const c = await createOpen311Client("Городское приложение", w.users.admin.id);
  apiKey = c.apiKey;
  clientId = c.client.id;
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const get = async (path: string) => {
  const res = await fetch(base() + path);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
};
const post = async (format: "json" | "xml", fields: Record<string, string>) => {
  const res = await fetch(`${base()}/requests.${format}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
};
const valid = () => ({ api_key: apiKey, service_code: "tap_leak", address_id: String(building.id), description: "Течёт кран на кухне", first_name: "Анна", last_name: "Петрова", phone: "+79121234567" });

describe("discovery and services", () => {
  it("discovery in JSON and XML", async () => {
    const j = await get("/discovery.json");
    expect(j.status).toBe(200);
    expect(j.type).toMatch(/application\/json/);
    const d = JSON.parse(j.text);
    expect(d.endpoints[0]).toMatchObject({ specification: "http://wiki.open311.org/GeoReport_v2", type: "production", formats: ["text/xml", "application/json"] });
    const x = await get("/discovery.xml");
    expect(x.type).toMatch(/text\/xml/);
    const root = parseXml(x.text);
    expect(root.name).toBe("discovery");
    const ep = child(child(root, "endpoints")!, "endpoint")!;
    expect(kids(child(ep, "formats")!, "format").map((f) => f.text)).toEqual(["text/xml", "application/json"]);
  });

  it("categories are services; a resource category defines its extra question", async () => {
    const list = JSON.parse((await get("/services.json")).text);
    const leak = list.find((s: { service_code: string }) => s.service_code === "tap_leak");
    expect(leak).toEqual({ service_code: "tap_leak", service_name: expect.any(String), description: expect.any(String), metadata: false, type: "realtime", keywords: expect.any(String), group: expect.any(String) });
    const water = list.find((s: { service_code: string }) => s.service_code === "no_cold_water");
    expect(water.metadata).toBe(true);
    const xml = parseXml((await get("/services.xml")).text);
    expect(xml.name).toBe("services");
    expect(kids(xml, "service").length).toBe(list.length);
    expect(flat(kids(xml, "service").find((s) => flat(s).service_code === "no_cold_water")!).metadata).toBe("true");

    const def = JSON.parse((await get("/services/no_cold_water.json")).text);
    expect(def.service_code).toBe("no_cold_water");
    expect(def.attributes.map((a: { code: string }) => a.code)).toEqual(["scope", "danger"]);
    expect(def.attributes[0]).toMatchObject({ variable: true, datatype: "singlevaluelist", required: false, order: 1 });
    const defXml = parseXml((await get("/services/no_cold_water.xml")).text);
    const attr = child(child(defXml, "attributes")!, "attribute")!;
    expect(kids(child(attr, "values")!, "value").map((v) => flat(v).key)).toEqual(["apartment", "riser", "building", "street"]);
  });
});

describe("POST requests", () => {
  it("creates a ticket through the workflow; it appears in the УО's queue", async () => {
    const r = await post("json", valid());
    expect(r.status).toBe(201);
    const [created] = JSON.parse(r.text);
    expect(created).toMatchObject({ service_request_id: expect.stringMatching(/^\d{4}-\d+$/), token: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const t = (await Ticket.findOne({ where: { number: created.service_request_id } }))!;
    expect([t.channel, t.status, t.uoId, t.buildingId, t.contactName, t.contactPhone]).toEqual(["open311", "routed", w.uo.id, building.id, "Анна Петрова", "+79121234567"]);
    const h = await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    expect(h.map((x) => [x.action, x.actorKind])).toEqual([["create", "system"], ["route", "system"]]);
    const uo = await loginAs(app.url, w.users.uo);
    const queue = await uo.get("/api/tickets?status=routed&perPage=100");
    expect(queue.body.items.map((i: { number: string }) => i.number)).toContain(created.service_request_id);

    const tok = JSON.parse((await get(`/tokens/${created.token}.json`)).text);
    expect(tok).toEqual([{ service_request_id: created.service_request_id, token: created.token }]);
    const one = JSON.parse((await get(`/requests/${created.service_request_id}.json`)).text)[0];
    expect(one).toMatchObject({ service_request_id: created.service_request_id, status: "open", service_code: "tap_leak", agency_responsible: w.uo.shortName, address_id: building.id, lat: 65.1591, long: 57.2203, description: null });
    expect(one.status_notes).toMatch(/Передана в управляющую организацию/);
    expect(one.expected_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/);
    expect(JSON.stringify(one)).not.toMatch(/Анна|Петрова|1234567/);
  });

  it("XML answer; location by coordinates and by address text; attributes go into the description", async () => {
    const x = await post("xml", { ...valid(), address_id: "", lat: "65.1592", long: "57.2204" });
    expect(x.status).toBe(201);
    const req = child(parseXml(x.text), "request")!;
    const number = flat(req).service_request_id!;
    expect((await Ticket.findOne({ where: { number } }))!.buildingId).toBe(building.id);

    const byText = await post("json", { ...valid(), address_id: "", address_string: `Печора, ${building.street}, д. ${building.house}, корп. ${building.buildingPart}`, service_code: "no_cold_water", "attribute[scope]": "building", "attribute[danger]": "no" });
    expect(byText.status).toBe(201);
    const t = (await Ticket.findOne({ where: { number: JSON.parse(byText.text)[0].service_request_id } }))!;
    expect(t.buildingId).toBe(building.id);
    expect(t.description).toContain("Во всём доме");
    expect(t.emergency).toBe(true);
  });

  it.each([
    ["missing api_key", { api_key: "" }, 403],
    ["wrong api_key", { api_key: "o311_wrong" }, 403],
    ["unknown service_code", { service_code: "no_such_service" }, 404],
    ["missing service_code", { service_code: "" }, 400],
    ["no location", { address_id: "" }, 400],
    ["unknown building", { address_id: "999999999" }, 400],
    ["address not in the register", { address_id: "", address_string: "ул. Несуществующая, д. 999" }, 400],
    ["coordinates far from any building", { address_id: "", lat: "10", long: "10" }, 400],
    ["latitude out of range", { address_id: "", lat: "95", long: "57" }, 400],
    ["HTML in the description", { description: 'Течёт <script>alert(1)</script>' }, 400],
    ["description over 4000 characters", { description: "а".repeat(4001) }, 400],
    ["empty description", { description: "  " }, 400],
    ["jurisdiction mismatch", { jurisdiction_id: "moscow" }, 404],
    ["invalid phone", { phone: "позвоните соседке" }, 400],
    ["required attribute missing", { service_code: "no_cold_water" }, 400],
    ["unknown attribute value", { service_code: "no_cold_water", "attribute[danger]": "maybe" }, 400],
  ])("%s → spec error in both formats, nothing written", async (_n, change, status) => {
    // Other test files write tickets at the same time: count what this one could have written.
    const mine = async () => [
      await Ticket.count({ where: { buildingId: building.id } }),
      await sequelize().query("SELECT count(*)::int AS n, max(last_used_at) AS used FROM open311_requests r JOIN open311_clients c ON c.id = r.client_id WHERE c.id = :id", { plain: true, replacements: { id: clientId } }),
    ];
    const before = await mine();
    const fields = { ...valid(), ...(change as Record<string, string>) };
    const j = await post("json", fields);
    expect(j.status).toBe(status);
    const errs = JSON.parse(j.text);
    expect(errs).toEqual([{ code: status, description: expect.stringMatching(/[а-яё]/i) }]);
    const x = await post("xml", fields);
    expect(x.status).toBe(status);
    const root = parseXml(x.text);
    expect(root.name).toBe("errors");
    expect(flat(child(root, "error")!)).toEqual({ code: String(status), description: errs[0].description });
    expect(await mine()).toEqual(before);
  });

  it("a switched-off client's key is refused", async () => {
    const { client, apiKey: key } = await createOpen311Client(`Выключенный ${uid()}`, null);
    await sequelize().query("UPDATE open311_clients SET active = false WHERE id = :id", { replacements: { id: client.id } });
    expect((await post("json", { ...valid(), api_key: key })).status).toBe(403);
  });
});

describe("GET requests", () => {
  let numbers: string[] = [];
  beforeAll(async () => {
    numbers = [];
    for (let i = 0; i < 3; i++) numbers.push(JSON.parse((await post("json", valid())).text)[0].service_request_id);
  });

  it("by id list, in both formats, with the spec's fields", async () => {
    const j = JSON.parse((await get(`/requests.json?service_request_id=${numbers.join(",")}`)).text);
    expect(j.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([...numbers].sort());
    for (const k of ["service_request_id", "status", "status_notes", "service_name", "service_code", "description", "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"])
      expect(j[0]).toHaveProperty(k);
    const x = parseXml((await get(`/requests.xml?service_request_id=${numbers.join(",")}`)).text);
    expect(x.name).toBe("service_requests");
    expect(kids(x, "request").map((r) => flat(r).service_request_id).sort()).toEqual([...numbers].sort());
    expect(flat(kids(x, "request")[0]!).status).toBe("open");
  });

  it("filters by service_code, status and dates (default: the last 90 days)", async () => {
    const all = JSON.parse((await get(`/requests.json`)).text);
    expect(all.map((r: { service_request_id: string }) => r.service_request_id)).toEqual(expect.arrayContaining(numbers));
    const leak = JSON.parse((await get(`/requests.json?service_code=tap_leak&status=open`)).text);
    expect(leak.every((r: { service_code: string; status: string }) => r.service_code === "tap_leak" && r.status === "open")).toBe(true);
    expect(JSON.parse((await get(`/requests.json?service_code=tap_leak&status=closed&service_request_id=${numbers[0]}`)).text)).toEqual([]);
    const future = JSON.parse((await get(`/requests.json?start_date=${encodeURIComponent(new Date(Date.now() + 86400_000).toISOString())}`)).text);
    expect(future).toEqual([]);
    const old = await get(`/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z`);
    expect(JSON.parse(old.text)).toEqual([]);
  });

  it.each([
    ["unknown service_code", "/requests.json?service_code=nope", 404],
    ["start after end", "/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400],
    ["range over 90 days", "/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400],
    ["bad date", "/requests.json?start_date=yesterday", 400],
    ["bad status", "/requests.json?status=pending", 400],
    ["jurisdiction mismatch", "/requests.json?jurisdiction_id=moscow", 404],
    ["unknown request", "/requests/1999-999999.json", 404],
    ["unknown token", "/tokens/00000000-0000-0000-0000-000000000000.json", 404],
    ["unknown service definition", "/services/nope.json", 404],
    ["unknown format (answered in XML, the spec's default)", "/services.yaml", 404],
  ])("%s → the spec's error", async (_n, path, status) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    if (path.includes(".json")) expect(JSON.parse(r.text)).toEqual([{ code: status, description: expect.any(String) }]);
    else expect(flat(child(parseXml(r.text), "error")!)).toEqual({ code: String(status), description: expect.any(String) });
  });
});

describe("client administration", () => {
  it("an administrator issues a key that works; others are refused", async () => {
    const admin = await loginAs(app.url, w.users.admin);
    const created = await admin.post("/api/open311/clients", { name: "Приложение «Мой двор»" });
    expect(created.status).toBe(201);
    expect(created.body.apiKey).toMatch(/^o311_/);
    expect((await post("json", { ...valid(), api_key: created.body.apiKey })).status).toBe(201);
    const listed = await admin.get("/api/open311/clients");
    expect(JSON.stringify(listed.body)).not.toContain(created.body.apiKey); // shown once, stored hashed
    expect(listed.body.items.map((c: { id: number }) => c.id)).toContain(created.body.id);
    const off = await admin.post(`/api/open311/clients/${created.body.id}/deactivate`);
    expect(off.body.active).toBe(false);
    expect((await post("json", { ...valid(), api_key: created.body.apiKey })).status).toBe(403);

    const uo = await loginAs(app.url, w.users.uo);
    expect((await uo.post("/api/open311/clients", { name: "Чужое" })).status).toBe(403);
    expect((await uo.get("/api/open311/clients")).status).toBe(403);
    expect((await admin.post("/api/open311/clients", { name: "" })).body.error.id).toBe("validation_failed");
  });
});
