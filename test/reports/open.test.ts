// Open data without login: statistics, ratings, outages and the ticket feed — scanned for every
// personal field of the generated residents; descriptions only when publishable.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sequelize } from "../../src/db/sequelize.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import { reportsDoor } from "../../src/routes/open/door.ts";
import type { Platform } from "../../src/server.ts";
import { client, startTestApp, type Client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { generateDistrict, type Generated } from "./generate.ts";
import { findPersonal, personalNeedles } from "./personal.ts";

let db: TestDb;
let app: Platform;
let g: Generated;
let anon: Client;
const today = DateTime.now().setZone("Europe/Moscow").startOf("day");
const from = today.minus({ days: 60 }).toISODate()!;
const to = today.toISODate()!;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp({ doors: [reportsDoor] });
  g = await generateDistrict(3, 10);
  anon = client(app.url);
}, 120_000);
afterAll(async () => {
  await app.stop();
  await db.close();
});

const text = async (path: string) => {
  const res = await fetch(app.url + path);
  expect(res.status, path).toBe(200);
  return res.text();
};

describe("open data", () => {
  it("the generated personal data is really in the database (the scan can find it)", async () => {
    const needles = personalNeedles(g);
    const rows = await sequelize().query(`SELECT description, contact_name, contact_phone FROM tickets WHERE id IN (:ids)`, { replacements: { ids: g.ticketIds } });
    expect(findPersonal(JSON.stringify(rows), needles).length).toBeGreaterThan(10);
  });

  it("every public output contains no personal field", async () => {
    const needles = personalNeedles(g);
    const uo = g.uos[0]!.id;
    const paths = [
      `/open/v1/tickets?from=${from}&to=${to}&perPage=10000`,
      `/open/v1/tickets?from=${from}&to=${to}&perPage=10000&format=csv`,
      `/open/v1/tickets?from=${from}&to=${to}&uoId=${uo}`,
      ...["total", "uo", "executor", "district", "category", "building", "channel", "week"].flatMap((by) => [
        `/open/v1/stats?from=${from}&to=${to}&by=${by}`,
        `/open/v1/stats?from=${from}&to=${to}&by=${by}&format=csv`,
      ]),
      `/open/v1/ratings?month=${today.toFormat("yyyy-MM")}`,
      `/open/v1/ratings?month=${today.toFormat("yyyy-MM")}&format=csv`,
      `/open/v1/outages`,
      `/open/v1/outages?format=csv`,
      `/open311/v2/requests.json`,
      `/open311/v2/requests.xml`,
    ];
    for (const p of paths) expect(findPersonal(await text(p), needles), p).toEqual([]);
  });

  it("the feed shows a description only when staff marked it publishable", async () => {
    const r = await anon.get(`/open/v1/tickets?from=${from}&to=${to}&perPage=10000&uoId=${g.uos[1]!.id}`);
    expect(r.status).toBe(200);
    const db = await Ticket.findAll({ where: { id: g.ticketIds, uoId: g.uos[1]!.id } });
    expect(r.body.total).toBe(db.length);
    for (const t of db) {
      const item = r.body.items.find((x: { number: string }) => x.number === t.number);
      expect(item.description).toBe(t.publishable ? t.description : null);
      expect(Object.keys(item)).not.toEqual(expect.arrayContaining(["contact", "apartment", "residentId"]));
      expect(item.address).toMatch(/^г\. Печора, ул\. Генерируемая [0-9a-f]+, д\. \d+$/);
    }
    expect(db.some((t) => t.publishable) && db.some((t) => !t.publishable)).toBe(true);
  });

  it("statistics by district are the staff figures, without login", async () => {
    const r = await anon.get(`/open/v1/stats?from=${from}&to=${to}&by=district`);
    expect(r.status).toBe(200);
    const d = g.buildings[0]!.cityDistrict!;
    const row = r.body.rows.find((x: { key: string }) => x.key === d);
    const [c] = await sequelize().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tickets t JOIN buildings b ON b.id = t.building_id WHERE b.city_district = :d AND t.created_at >= :f`,
      { type: "SELECT" as never, replacements: { d, f: DateTime.fromISO(from, { zone: "Europe/Moscow" }).toJSDate() } },
    );
    expect(row.received).toBe((c as unknown as { n: number }).n);
    expect(r.body.chart.series.length).toBeGreaterThan(10);
  });

  it("active and planned outages by address", async () => {
    const b = g.buildings[1]!;
    const [[o]] = (await sequelize().query(
      `INSERT INTO outages (resource, kind, starts_at, expected_end_at, reason, org_id) VALUES ('hot_water','planned', now() + interval '1 day', now() + interval '2 days', 'Ремонт теплотрассы', :org) RETURNING id`,
      { replacements: { org: g.uos[1]!.id } },
    )) as [Array<{ id: number }>, unknown];
    await sequelize().query(`INSERT INTO outage_buildings (outage_id, building_id) VALUES (:o, :b)`, { replacements: { o: o!.id, b: b.id } });
    const r = await anon.get(`/open/v1/outages?street=${encodeURIComponent(b.street.slice(4))}&house=${b.house}`);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      expect.objectContaining({ id: o!.id, resource: "hot_water", resourceLabel: "Горячая вода", state: "planned", buildingId: b.id, reason: "Ремонт теплотрассы" }),
    ]);
    expect((await anon.get(`/open/v1/outages?buildingId=${g.buildings[0]!.id}`)).body.items).toEqual([]);
  });

  it.each([
    ["inverted period", `/open/v1/tickets?from=${to}&to=${from}`, "period_inverted"],
    ["enormous period", `/open/v1/stats?from=2000-01-01&to=2026-01-01`, "period_too_long"],
    ["unknown breakdown", `/open/v1/stats?from=${from}&to=${to}&by=resident`, "validation_failed"],
    ["too many rows", `/open/v1/tickets?from=${from}&to=${to}&perPage=50000`, "validation_failed"],
    ["xlsx is not offered here", `/open/v1/stats?from=${from}&to=${to}&format=xlsx`, "validation_failed"],
  ])("%s → 400 with a clear message", async (_n, path, id) => {
    const r = await anon.get(path);
    expect([r.status, r.body.error.id]).toEqual([400, id]);
    expect(r.body.error.message).toMatch(/[а-яё]/i);
  });
});
