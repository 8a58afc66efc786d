// Every report figure, for every breakdown, against an independent recount on generated data.
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sequelize } from "../../src/db/sequelize.ts";
import { computeMetrics } from "../../src/reports/metrics.ts";
import { parsePeriod, type Period } from "../../src/reports/period.ts";
import { buildReport } from "../../src/reports/report.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { expectedMetrics, rawTickets, type Raw } from "./expected.ts";
import { generateDistrict, type Generated } from "./generate.ts";

let db: TestDb;
let g: Generated;
let raw: Raw[];
let period: Period;
const zone = "Europe/Moscow";

beforeAll(async () => {
  db = await setupTestDb();
  g = await generateDistrict(11, 22);
  raw = await rawTickets(g.uos.map((u) => u.id));
  const today = DateTime.now().setZone(zone).startOf("day");
  period = parsePeriod(today.minus({ days: 35 }).toISODate()!, today.minus({ days: 5 }).toISODate()!);
}, 120_000);
afterAll(() => db.close());

const by = <K>(rows: Raw[], key: (t: Raw) => K) => {
  const m = new Map<K, Raw[]>();
  for (const t of rows) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
};

describe("report figures equal an independent recount", () => {
  it("the generated data exercises every figure", () => {
    const e = expectedMetrics(raw, period.from, period.to, new Date());
    for (const k of ["received", "closed", "onTime", "closedLate", "reopened", "emergencyReceived", "emergencyDispatchedInTime", "confirmed", "closedNoAnswer", "closedUnreachable", "rated"] as const)
      expect(e[k], k).toBeGreaterThan(0);
  });

  it("by УО (whole district scope), row for each generated УО", async () => {
    const rows = await computeMetrics(period, "uo", { kind: "all" });
    const now = new Date();
    for (const uo of g.uos) {
      const got = rows.find((r) => r.key === String(uo.id))!.metrics;
      expect(got).toEqual(expectedMetrics(raw.filter((t) => t.uo_id === uo.id), period.from, period.to, now));
    }
  });

  it("received and closed per УО also match a plain SQL count", async () => {
    const rows = await computeMetrics(period, "uo", { kind: "all" });
    for (const uo of g.uos) {
      const [c] = await sequelize().query<{ received: number; closed: number }>(
        `SELECT (SELECT count(*) FROM tickets WHERE uo_id = :uo AND created_at >= :f AND created_at < :t)::int AS received,
                (SELECT count(*) FROM tickets WHERE uo_id = :uo AND closed_at >= :f AND closed_at < :t)::int AS closed`,
        { type: QueryTypes.SELECT, replacements: { uo: uo.id, f: period.from, t: period.to } },
      );
      const got = rows.find((r) => r.key === String(uo.id))!.metrics;
      expect([got.received, got.closed]).toEqual([c!.received, c!.closed]);
    }
  });

  it.each(["category", "channel", "building", "executor"] as const)("by %s within one УО", async (breakdown) => {
    const uo = g.uos[0]!;
    const mine = raw.filter((t) => t.uo_id === uo.id);
    const keyOf: Record<string, (t: Raw) => string> = {
      category: (t) => String(t.category_id),
      channel: (t) => t.channel,
      building: (t) => String(t.building_id ?? ""),
      executor: (t) => String(t.executor_org_id ?? ""),
    };
    const rows = await computeMetrics(period, breakdown, { kind: "all" }, { uoId: uo.id });
    const now = new Date();
    const expected = [...by(mine, keyOf[breakdown]!)]
      .map(([k, ts]) => ({ key: k, metrics: expectedMetrics(ts, period.from, period.to, now) }))
      .filter((x) => x.metrics.received > 0 || x.metrics.closed > 0)
      .sort((a, b) => a.key.localeCompare(b.key));
    expect([...rows].sort((a, b) => a.key.localeCompare(b.key))).toEqual(expected);
  });

  it("by city district (each generated district has only generated buildings)", async () => {
    const rows = await computeMetrics(period, "district", { kind: "all" });
    const now = new Date();
    for (const district of new Set(g.buildings.map((b) => b.cityDistrict!))) {
      const ids = g.buildings.filter((b) => b.cityDistrict === district).map((b) => b.id);
      const got = rows.find((r) => r.key === district)!.metrics;
      expect(got).toEqual(expectedMetrics(raw.filter((t) => ids.includes(t.building_id!)), period.from, period.to, now));
    }
  });

  it("by day, week and month: buckets match the recount and add up to the total", async () => {
    const uo = g.uos[1]!;
    const mine = raw.filter((t) => t.uo_id === uo.id);
    for (const unit of ["day", "week", "month"] as const) {
      const rep = await buildReport(period, unit, { kind: "all" }, { uoId: uo.id });
      const now = new Date();
      let received = 0;
      let closed = 0;
      for (const row of rep.rows) {
        const start = DateTime.fromISO(row.key, { zone });
        const bFrom = new Date(Math.max(start.toMillis(), period.from.getTime()));
        const bTo = new Date(Math.min(start.plus({ [`${unit}s`]: 1 }).toMillis(), period.to.getTime()));
        const e = expectedMetrics(mine, bFrom, bTo, now);
        expect([row.key, row.metrics.received, row.metrics.closed, row.metrics.onTime, row.metrics.rated]).toEqual([row.key, e.received, e.closed, e.onTime, e.rated]);
        received += row.metrics.received!;
        closed += row.metrics.closed!;
      }
      expect([received, closed]).toEqual([rep.total.received, rep.total.closed]);
      expect(rep.total).toEqual(expectedMetrics(mine, period.from, period.to, now));
    }
  });

  it("a УО's scope counts only its own tickets, whatever filter it sends", async () => {
    const [own] = await computeMetrics(period, "total", { kind: "uo", orgId: g.uos[0]!.id });
    const [other] = await computeMetrics(period, "total", { kind: "uo", orgId: g.uos[0]!.id }, { uoId: g.uos[1]!.id });
    expect(own!.metrics).toEqual(expectedMetrics(raw.filter((t) => t.uo_id === g.uos[0]!.id), period.from, period.to, new Date()));
    expect(other).toBeUndefined();
    const exec = await computeMetrics(period, "uo", { kind: "executor", orgId: g.contractor.id });
    const recount = raw.filter((t) => t.executor_org_id === g.contractor.id && t.created_at >= period.from && t.created_at < period.to);
    expect(exec.reduce((s, r) => s + r.metrics.received!, 0)).toBe(recount.length);
  });
});
