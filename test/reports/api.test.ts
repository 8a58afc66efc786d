// Staff report API: scope (agency, УО, contractor, anonymous), bad input, CSV and XLSX exports.
import ExcelJS from "exceljs";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportsDoor } from "../../src/routes/open/door.ts";
import type { Platform } from "../../src/server.ts";
import { client, loginAs, type Client } from "../support/app.ts";
import { startTestApp } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { expectedMetrics, rawTickets, type Raw } from "./expected.ts";
import { generateDistrict, type Generated } from "./generate.ts";

let db: TestDb;
let app: Platform;
let g: Generated;
let raw: Raw[];
let agency: Client, uo0: Client, po: Client;
const today = DateTime.now().setZone("Europe/Moscow").startOf("day");
const from = today.minus({ days: 40 }).toISODate()!;
const to = today.toISODate()!;
const q = (extra: string) => `/api/reports?from=${from}&to=${to}&${extra}`;

beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp({ doors: [reportsDoor] });
  g = await generateDistrict(5, 8);
  raw = await rawTickets(g.uos.map((u) => u.id));
  agency = await loginAs(app.url, g.users.agency);
  uo0 = await loginAs(app.url, g.users.uo0);
  po = await loginAs(app.url, g.users.contractor);
}, 120_000);
afterAll(async () => {
  await app.stop();
  await db.close();
});

const periodBounds = () => ({ f: DateTime.fromISO(from, { zone: "Europe/Moscow" }).toJSDate(), t: today.plus({ days: 1 }).toJSDate() });

describe("staff reports", () => {
  it("agency sees every УО, with chart series aligned to the rows", async () => {
    const r = await agency.get(q("by=uo"));
    expect(r.status).toBe(200);
    const { f, t } = periodBounds();
    for (const uo of g.uos) {
      const row = r.body.rows.find((x: { key: string }) => x.key === String(uo.id));
      const e = expectedMetrics(raw.filter((x) => x.uo_id === uo.id), f, t, new Date());
      expect([row.label, row.received, row.closed, row.onTime, row.overdue]).toEqual([uo.shortName, e.received, e.closed, e.onTime, e.overdue]);
    }
    const received = r.body.chart.series.find((s: { metric: string }) => s.metric === "received");
    expect(received.data).toEqual(r.body.rows.map((x: { received: number }) => x.received));
    expect(r.body.chart.labels).toEqual(r.body.rows.map((x: { label: string }) => x.label));
    expect(r.body.byLabel).toBe("Управляющая организация");
  });

  it("a УО sees only its own tickets; asking for another УО is refused", async () => {
    const r = await uo0.get(q("by=uo"));
    expect(r.status).toBe(200);
    expect(r.body.rows.map((x: { key: string }) => x.key)).toEqual([String(g.uos[0]!.id)]);
    const { f, t } = periodBounds();
    expect(r.body.total.received).toBe(expectedMetrics(raw.filter((x) => x.uo_id === g.uos[0]!.id), f, t, new Date()).received);
    const other = await uo0.get(q(`uoId=${g.uos[1]!.id}`));
    expect([other.status, other.body.error.id]).toEqual([403, "forbidden"]);
  });

  it("a contractor counts only the tickets it executes", async () => {
    const r = await po.get(q("by=total"));
    expect(r.status).toBe(200);
    const { f, t } = periodBounds();
    const mine = raw.filter((x) => x.executor_org_id === g.contractor.id);
    expect(r.body.total.received).toBe(expectedMetrics(mine, f, t, new Date()).received);
  });

  it("anonymous callers are asked to log in", async () => {
    const r = await client(app.url).get(q("by=uo"));
    expect([r.status, r.body.error.id]).toEqual([401, "unauthenticated"]);
  });

  it.each([
    ["inverted period", `/api/reports?from=${to}&to=${from}`, "period_inverted"],
    ["enormous period", "/api/reports?from=2001-01-01&to=2026-01-01", "period_too_long"],
    ["unknown breakdown", q("by=horoscope"), "validation_failed"],
    ["impossible date", "/api/reports?from=2026-02-30&to=2026-03-01", "validation_failed"],
    ["malformed date", "/api/reports?from=вчера&to=2026-03-01", "validation_failed"],
    ["unknown parameter", q("by=uo&drop=1"), "validation_failed"],
    ["too many chart points", "/api/reports?from=2024-01-01&to=2026-01-01&by=day", "too_many_buckets"],
    ["unknown format", q("format=pdf"), "validation_failed"],
    ["bad month", "/api/reports/ratings?month=2026-13", "validation_failed"],
  ])("%s → 400 with a clear message", async (_name, path, id) => {
    const r = await agency.get(path);
    expect([r.status, r.body.error.id]).toEqual([400, id]);
    expect(r.body.error.message).toMatch(/[а-яё]/i);
  });

  it("exports CSV with Russian headers and the same figures", async () => {
    const res = await fetch(app.url + q("by=uo&format=csv"), { headers: { cookie: agency.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/csv/);
    expect(res.headers.get("content-disposition")).toMatch(/attachment/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: Excel reads UTF-8
    const lines = bytes.subarray(3).toString("utf8").trim().split("\r\n").map((l) => l.split(";"));
    expect(lines[0]!.slice(0, 3)).toEqual(["Управляющая организация", "Поступило", "Закрыто"]);
    const json = (await agency.get(q("by=uo"))).body;
    const row = lines.find((l) => l[0] === g.uos[0]!.shortName)!;
    const jrow = json.rows.find((x: { key: string }) => x.key === String(g.uos[0]!.id));
    expect(row.slice(1, 3).map(Number)).toEqual([jrow.received, jrow.closed]);
    expect(lines.at(-1)![0]).toBe("Итого");
  });

  it("exports XLSX that opens with the same table", async () => {
    const res = await fetch(app.url + q("by=channel&format=xlsx"), { headers: { cookie: agency.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(1).value).toBe("Канал");
    expect(ws.getRow(1).getCell(2).value).toBe("Поступило");
    const json = (await agency.get(q("by=channel"))).body;
    expect(ws.getRow(2).getCell(1).value).toBe(json.rows[0].label);
    expect(ws.getRow(2).getCell(2).value).toBe(json.rows[0].received);
    expect(ws.rowCount).toBe(json.rows.length + 2);
  });

  it("ratings of the month with their inputs, as JSON and CSV", async () => {
    const month = today.toFormat("yyyy-MM");
    const r = await uo0.get(`/api/reports/ratings?month=${month}`);
    expect(r.status).toBe(200);
    const mine = r.body.items.find((x: { uo: { id: number } }) => x.uo.id === g.uos[0]!.id);
    expect(mine.apartments).toBe(6);
    expect(mine.components).toHaveLength(5);
    expect(mine.inputs).toHaveProperty("onTimeShare");
    const csv = await fetch(app.url + `/api/reports/ratings?month=${month}&format=csv`, { headers: { cookie: uo0.cookie! } });
    expect((await csv.text()).split("\r\n")[0]).toMatch(/^Место;Управляющая организация;Баллы/);
  });
});
