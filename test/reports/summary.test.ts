// The report summary (migration 20261212000100-create-ticket-summary.ts) stays equal to a recount
// after every workflow step, matches plain SQL counts, and its percentile estimate stays within
// the histogram's bucket width of the exact value.
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { residentActor } from "../../src/context.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import { foldReportSummary } from "../../src/jobs/tasks.ts";
import { computeMetrics } from "../../src/reports/metrics.ts";
import { parsePeriod } from "../../src/reports/period.ts";
import { summaryMetrics } from "../../src/reports/summary.ts";
import { bucketEdges, bucketOf, HIST_BUCKETS, HIST_RATIO, histQuantile } from "../../src/reports/summaryBuckets.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, category, createTicket, makeWorld, type World } from "../support/factories.ts";
import { generateDistrict } from "./generate.ts";

let db: TestDb;
let w: World;
let counters: string[];
const zone = "Europe/Moscow";

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  const cols = await sequelize().query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = 'ticket_summary' AND column_name NOT IN ('kind', 'period', 'key') ORDER BY ordinal_position`,
    { type: QueryTypes.SELECT },
  );
  counters = cols.map((c) => c.column_name);
}, 60_000);
afterAll(() => db.close());

/** Rows where the maintained summary and a full recomputation differ, in one snapshot; with
 * `world`, only the rows of this test's УО, building and executors (a quick check per step). */
async function mismatches(world?: World): Promise<unknown[]> {
  const list = counters.join(", ");
  const nonzero = counters.map((c) => `${c} <> 0`).join(" OR ");
  const mine = world
    ? `(kind = 'u' AND key = '${world.uo.id}') OR (kind = 'b' AND key = '${world.building.id}') OR (kind = 'e' AND key IN ('${world.contractor.id}', '${world.supplier.id}'))`
    : "true";
  const rows = world ? `tickets WHERE uo_id = ${world.uo.id} OR building_id = ${world.building.id} OR executor_org_id IN (${world.contractor.id}, ${world.supplier.id})` : "tickets";
  return sequelize().query(
    `WITH f AS (
       SELECT * FROM (
         SELECT c.kind, c.period, c.key, ${counters.map((c) => `sum(c.${c})::int AS ${c}`).join(", ")}
           FROM ticket_summary_meta m CROSS JOIN (SELECT * FROM ${rows}) r CROSS JOIN LATERAL ticket_summary_contrib(r::tickets, 1, m.tz, m.dispatch_minutes) c
          GROUP BY 1, 2, 3) x WHERE (${nonzero}) AND (${mine})),
     s AS (SELECT kind, period, key, ${list} FROM ticket_summary WHERE (${nonzero}) AND (${mine}))
     (SELECT 'missing' AS d, * FROM (SELECT * FROM f EXCEPT ALL SELECT * FROM s) a)
     UNION ALL (SELECT 'extra', * FROM (SELECT * FROM s EXCEPT ALL SELECT * FROM f) b)`,
    { type: QueryTypes.SELECT },
  );
}

/** The УО's row of today (УО rows are kept per local day). */
async function uoToday(uoId: number) {
  const month = DateTime.now().setZone(zone).toISODate();
  const [row] = await sequelize().query<{ received: number; closed: number; resolved: number; reopened: number; rated: number }>(
    `SELECT received, closed, resolved, reopened, rated FROM ticket_summary WHERE kind = 'u' AND period = :month AND key = :key`,
    { type: QueryTypes.SELECT, replacements: { month, key: String(uoId) } },
  );
  return row ?? { received: 0, closed: 0, resolved: 0, reopened: 0, rated: 0 };
}

describe("report summary", () => {
  it("has the histogram columns the reader expects", () => {
    expect(counters.filter((c) => /^h\d+$/.test(c))).toHaveLength(HIST_BUCKETS);
    expect(bucketOf(0.1)).toBe(0);
    expect(bucketOf(24)).toBe(1 + Math.floor(Math.log(24 / 0.25) / Math.log(HIST_RATIO)));
    const [lo, hi] = bucketEdges(bucketOf(24));
    expect(bucketOf(10_000)).toBe(HIST_BUCKETS - 1);
    expect(lo <= 24 && 24 < hi).toBe(true);
    expect(histQuantile(new Array(HIST_BUCKETS).fill(0), 0.5)).toBeNull();
  });

  it("equals a recount after every workflow step, and moves each figure to the right row", async () => {
    const op = actorOf(w.users.operator);
    const uo = actorOf(w.users.uo);
    const po = actorOf(w.users.contractor);
    const res = residentActor(w.resident);
    const before = await uoToday(w.uo.id);
    const t = await createTicket(op, { buildingId: w.building.id, apartmentId: w.apartments[0]!.id, residentId: w.resident.id });
    expect(await mismatches(w)).toEqual([]);
    const steps: Array<[typeof op, string, Record<string, unknown>]> = [
      [uo, "assign", { executorOrgId: w.contractor.id }],
      [po, "accept", {}],
      [po, "report", { worksDone: "Заменена прокладка", workOrder: true }],
      [uo, "verify", {}],
      [res, "dispute", { reason: "Кран снова течёт" }],
      [uo, "assign", { executorOrgId: w.supplier.id }],
      [actorOf(w.users.supplier), "accept", {}],
      [actorOf(w.users.supplier), "report", { worksDone: "Заменён кран", workOrder: true }],
      [uo, "verify", {}],
      [res, "confirm", { rating: 2 }],
    ];
    for (const [who, action, input] of steps) {
      const { workOrder, ...rest } = input;
      const extra = workOrder ? { workOrderAttachmentId: (await addWorkOrder(who, t.id)).id } : {};
      await act(who, t.id, action, { ...rest, ...extra } as never);
      expect(await mismatches(w), action).toEqual([]);
    }
    expect(await mismatches()).toEqual([]);
    const after = await uoToday(w.uo.id);
    expect([after.received - before.received, after.closed - before.closed, after.resolved - before.resolved, after.reopened - before.reopened, after.rated - before.rated]).toEqual([1, 1, 1, 1, 1]);
    expect((await Ticket.findByPk(t.id))!.status).toBe("closed");
  }, 240_000);

  it("follows declines, emergency dispatch and bulk SQL corrections", async () => {
    const op = actorOf(w.users.operator);
    const a = await createTicket(op, { buildingId: null, addressText: "другой район" });
    await act(op, a.id, "decline_intake", { reason: "Дом не обслуживается в МР «Печора»" });
    const em = await createTicket(op, { buildingId: w.building.id, categoryId: (await category("emergency_pipe_burst")).id });
    await sequelize().query("UPDATE tickets SET crew_dispatched_at = created_at + interval '10 minutes' WHERE id = :id", { replacements: { id: em.id } });
    expect(await mismatches(w)).toEqual([]);
    // one statement changing several tickets (a bulk correction) moves each to its new row
    await sequelize().query("UPDATE tickets SET channel = 'web' WHERE id IN (:ids)", { replacements: { ids: [a.id, em.id] } });
    expect(await mismatches()).toEqual([]);
  }, 240_000);

  it("folds appended contributions without changing any figure; steps that count nothing append nothing", async () => {
    const delta = async () => (await sequelize().query<{ n: number }>("SELECT count(*)::int AS n FROM ticket_summary_delta", { type: QueryTypes.SELECT }))[0]!.n;
    const op = actorOf(w.users.operator);
    await createTicket(op, { buildingId: w.building.id });
    expect(await delta()).toBeGreaterThan(0);
    expect(await foldReportSummary()).toBeGreaterThan(0);
    expect(await delta()).toBe(0);
    expect(await mismatches()).toEqual([]);
    // A change of a column no figure reads (the description) appends no row.
    await sequelize().query("UPDATE tickets SET description = description || ' (уточнено)' WHERE uo_id = :uo", { replacements: { uo: w.uo.id } });
    expect(await delta()).toBe(0);
    expect(await foldReportSummary()).toBe(0);
  });

  it("matches plain SQL counts per day, and per УО and day", async () => {
    const [d] = await sequelize().query<{ bad: number }>(
      `SELECT count(*)::int AS bad FROM (
         SELECT (created_at AT TIME ZONE :zone)::date AS day, count(*)::int AS n FROM tickets GROUP BY 1
         EXCEPT SELECT period, received FROM ticket_summary WHERE kind = 't' AND received <> 0) x`,
      { type: QueryTypes.SELECT, replacements: { zone } },
    );
    const [u] = await sequelize().query<{ bad: number }>(
      `SELECT count(*)::int AS bad FROM (
         SELECT (closed_at AT TIME ZONE :zone)::date AS d, coalesce(uo_id::text, '') AS k, count(*)::int AS n
           FROM tickets WHERE closed_at IS NOT NULL GROUP BY 1, 2
         EXCEPT SELECT period, key, closed FROM ticket_summary WHERE kind = 'u' AND closed <> 0) x`,
      { type: QueryTypes.SELECT, replacements: { zone } },
    );
    expect([d!.bad, u!.bad]).toEqual([0, 0]);
  });

  it("estimates median and p90 within the bucket width; every other figure is exact", async () => {
    await generateDistrict(5, 30);
    const today = DateTime.now().setZone(zone).startOf("day");
    const period = parsePeriod(today.minus({ days: 100 }).toISODate()!, today.toISODate()!);
    const now = new Date();
    const exact = await summaryMetrics(period, "uo", now, { exactPercentileLimit: Number.MAX_SAFE_INTEGER });
    const approx = await summaryMetrics(period, "uo", now, { exactPercentileLimit: -1 });
    expect(exact).not.toBeNull();
    let compared = 0;
    for (const e of exact!) {
      const a = approx!.find((x) => x.key === e.key)!;
      const { medianHoursToClose: em, p90HoursToClose: ep, ...restE } = e.metrics;
      const { medianHoursToClose: am, p90HoursToClose: ap, ...restA } = a.metrics;
      expect(restA).toEqual(restE);
      for (const [x, y] of [[em, am], [ep, ap]] as const) {
        if (x === null) {
          expect(y).toBeNull();
          continue;
        }
        // Same or neighbouring bucket (the exact value may interpolate between two buckets).
        expect(Math.abs(bucketOf(x) - bucketOf(y!)), `${e.key}: exact ${x} estimate ${y}`).toBeLessThanOrEqual(1);
        if (x >= 1) expect(y! / x).toBeGreaterThan(1 / HIST_RATIO ** 2);
        if (x >= 1) expect(y! / x).toBeLessThan(HIST_RATIO ** 2);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
    // The whole-district report is the summary's (exact percentiles at this size) and equals the
    // direct count, which a filter that keeps everything forces.
    const viaSummary = await computeMetrics(period, "channel", { kind: "all" }, {}, now);
    for (const row of viaSummary) {
      const [direct] = await computeMetrics(period, "total", { kind: "all" }, { channel: row.key }, now);
      expect(row.metrics).toEqual(direct!.metrics);
    }
  }, 180_000);
});
