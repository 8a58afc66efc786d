// Whole-district reports from the summary table (migrations 20261212000100/000200). Every kind but
// buildings is kept per local day, so those reports read summary rows only; building and district
// reports read the month rows for the full months of the period and count the partial months at
// its edges directly on the tickets (the same definitions, checked equal by test/reports). Two figures
// depend on the moment of the report and are counted on the (few) tickets they concern: still-open
// tickets past their deadline, and emergencies whose dispatch window has not yet run out.
// Median and p90 are exact (from the tickets) while the period has at most EXACT_PERCENTILE_LIMIT
// resolved tickets, otherwise estimated from the close-time histogram (src/reports/summaryBuckets.ts).
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import { toMetrics, type MetricsRow, type ReportFilters, type ReportScope } from "./metrics.ts";
import { TIME_BREAKDOWNS, type Breakdown, type Period } from "./period.ts";
import { HIST_BASE_HOURS, HIST_BUCKETS, HIST_COLUMNS, HIST_RATIO, histQuantile } from "./summaryBuckets.ts";

export const EXACT_PERCENTILE_LIMIT = 20_000;

const COUNTERS = ["received", "em_total", "em_ok", "closed", "resolved", "on_time", "late", "reopened", "conf_base", "confirmed", "no_answer", "unreachable", "rated", "rating_sum", "dissatisfied"];
const SUMMED = [...COUNTERS, ...HIST_COLUMNS, "open_overdue", "em_pending"];

// Kinds kept per day; buildings (thousands of keys) are kept per month (migration 20261212000200).
const DAILY = new Set(["t", "u", "e", "c", "h"]);
const HOURS_SQL = "(extract(epoch FROM t.closed_at - t.created_at)::float8 / 3600)";
const BUCKET_SQL = `(CASE WHEN ${HOURS_SQL} < ${HIST_BASE_HOURS} THEN 0 ELSE least(${HIST_BUCKETS - 1}, 1 + floor(ln(${HOURS_SQL} / ${HIST_BASE_HOURS}) / ln(${HIST_RATIO}))::int) END)`;
// The columns the edge counts read: all in indexes tickets_closed_report / tickets_created_report.
const EDGE_COLUMNS = ["building_id", "closed_at", "created_at", "reported_at", "deadline_at", "verified_at", "closure_kind", "reopened_count", "rating"].map((c) => `t.${c}`).join(", ");
const INTAKE_COLUMNS = ["building_id", "created_at", "emergency", "closure_kind", "crew_dispatched_at"].map((c) => `t.${c}`).join(", ");
const KIND: Record<Breakdown, string> = { total: "t", day: "t", week: "t", month: "t", uo: "u", executor: "e", category: "c", channel: "h", building: "b", district: "b" };
const TICKET_COL: Partial<Record<Breakdown, string>> = { uo: "uo_id", executor: "executor_org_id", category: "category_id", channel: "channel", building: "building_id" };

// The folded rows and the not yet folded contributions, read as one: every column is a sum, so the
// report groups them once by its own key (the view ticket_summary groups by kind, period and key
// first — 33,000 groups for a year of buildings, a fifth of the report's time).
const SUMMARY_ROWS = "(SELECT * FROM ticket_summary_folded UNION ALL SELECT * FROM ticket_summary_delta)";

/** The summary answers only whole-district reports without filters: any filter or narrower scope
 * selects few enough tickets for the direct query (with its indexes). */
export function summaryApplies(scope: ReportScope, filters: ReportFilters): boolean {
  return scope.kind === "all" && !filters.uoId && !filters.executorOrgId && !filters.categoryId && !filters.channel;
}

/** Key of a summary row (alias s) or a contribution (alias c): both have kind, period and key. */
function summaryKey(by: Breakdown, a: string): string {
  if (by === "total") return "''";
  if (TIME_BREAKDOWNS.includes(by)) return `to_char(date_trunc('${by}', ${a}.period::timestamp), 'YYYY-MM-DD')`;
  if (by === "district") return `coalesce(${a}_b.city_district, '')`;
  return `${a}.key`;
}
const summaryJoin = (by: Breakdown, a: string) => (by === "district" ? `LEFT JOIN buildings ${a}_b ON ${a}_b.id = nullif(${a}.key, '')::int` : "");

/** Key of a ticket row (alias t) by its created_at or closed_at. */
function ticketKey(by: Breakdown, col: "created_at" | "closed_at"): string {
  if (by === "total") return "''";
  if (TIME_BREAKDOWNS.includes(by)) return `to_char(date_trunc('${by}', t.${col} AT TIME ZONE :tz), 'YYYY-MM-DD')`;
  if (by === "district") return "coalesce(t_b.city_district, '')";
  return `coalesce(t.${TICKET_COL[by]}::text, '')`;
}
const ticketJoin = (by: Breakdown) => (by === "district" ? "LEFT JOIN buildings t_b ON t_b.id = t.building_id" : "");

const cols = (names: string[]) => SUMMED.map((c) => `${names.includes(c) ? c : "0"} AS ${c}`).join(", ");

/** The months of the period served by month rows, and the edge ranges computed from tickets. */
function split(period: Period, daily: boolean) {
  const zone = config().district.timezone;
  const from = DateTime.fromJSDate(period.from, { zone }).startOf("day");
  const to = DateTime.fromJSDate(period.to, { zone }).startOf("day");
  const none = { a: period.from, b: period.from };
  if (daily) return { pFrom: from.toISODate()!, pTo: to.toISODate()!, edges: [none, none] };
  const m1 = from.day === 1 ? from : from.startOf("month").plus({ months: 1 });
  const m2 = to.startOf("month");
  if (m1 >= m2) return { pFrom: from.toISODate()!, pTo: from.toISODate()!, edges: [{ a: period.from, b: period.to }, none] };
  return { pFrom: m1.toISODate()!, pTo: m2.toISODate()!, edges: [{ a: period.from, b: m1.toJSDate() }, { a: m2.toJSDate(), b: period.to }] };
}

export interface SummaryOptions {
  exactPercentileLimit?: number;
}

/** null when the summary was built for another time zone or dispatch window than configured. */
export async function summaryMetrics(period: Period, by: Breakdown, now = new Date(), opts: SummaryOptions = {}): Promise<MetricsRow[] | null> {
  const db = sequelize();
  const tz = config().district.timezone;
  const dispatch = config().workflow.emergencyDispatchMinutes;
  const [meta] = await db.query<{ tz: string; dispatch_minutes: number }>("SELECT tz, dispatch_minutes FROM ticket_summary_meta", { type: QueryTypes.SELECT });
  if (!meta || meta.tz !== tz || meta.dispatch_minutes !== dispatch) return null;
  const kind = KIND[by];
  const s = split(period, DAILY.has(kind));
  // each edge range on its own, so each is an index-only range scan of the covering index
  const ranges = (col: string, cols: string) =>
    `SELECT ${cols} FROM tickets t WHERE t.${col} >= :e0a AND t.${col} < :e0b UNION ALL SELECT ${cols} FROM tickets t WHERE t.${col} >= :e1a AND t.${col} < :e1b`;
  const em = "t.emergency AND coalesce(t.closure_kind, '') NOT IN ('declined', 'withdrawn')";
  const edgeParts = `      UNION ALL
      SELECT ${ticketKey(by, "created_at")}, ${cols([])
        .replace("0 AS received", "count(*) AS received")
        .replace("0 AS em_total", `count(*) FILTER (WHERE ${em}) AS em_total`)
        .replace("0 AS em_ok", `count(*) FILTER (WHERE ${em} AND t.crew_dispatched_at <= t.created_at + :dispatch * interval '1 minute') AS em_ok`)}
        FROM (${ranges("created_at", INTAKE_COLUMNS)}) t ${ticketJoin(by)} GROUP BY 1
      UNION ALL
      SELECT ${ticketKey(by, "closed_at")}, ${cols([])
        .replace("0 AS closed", "count(*) AS closed")
        .replace("0 AS resolved", "count(*) FILTER (WHERE t.reported_at IS NOT NULL) AS resolved")
        .replace("0 AS on_time", "count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reported_at <= t.deadline_at) AS on_time")
        .replace("0 AS late", "count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reported_at > t.deadline_at) AS late")
        .replace("0 AS reopened", "count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reopened_count > 0) AS reopened")
        .replace("0 AS conf_base", "count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind IN ('resident_confirmed', 'operator_confirmed', 'no_answer', 'unreachable')) AS conf_base")
        .replace("0 AS confirmed", "count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind IN ('resident_confirmed', 'operator_confirmed')) AS confirmed")
        .replace("0 AS no_answer", "count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind = 'no_answer') AS no_answer")
        .replace("0 AS unreachable", "count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind = 'unreachable') AS unreachable")
        .replace("0 AS rated", "count(t.rating) AS rated")
        .replace("0 AS rating_sum", "coalesce(sum(t.rating), 0) AS rating_sum")
        .replace("0 AS dissatisfied", "count(*) FILTER (WHERE t.rating <= 2) AS dissatisfied")
        .replace(/0 AS h(\d+)/g, (_, i) => `count(*) FILTER (WHERE t.hb = ${i}) AS h${i}`)}
        -- OFFSET 0 keeps the subquery: flattened, each of the histogram's filters evaluated the
        -- bucket (a logarithm) again, 24 times a ticket — half of a building report's time at 1M
        FROM (SELECT t.*, CASE WHEN t.reported_at IS NOT NULL THEN ${BUCKET_SQL} END AS hb FROM (${ranges("closed_at", EDGE_COLUMNS)}) t OFFSET 0) t ${ticketJoin(by)} GROUP BY 1
`;
  const sql = `
    WITH parts AS (
      SELECT ${summaryKey(by, "s")} AS k, ${SUMMED.map((c) => ([...COUNTERS, ...HIST_COLUMNS].includes(c) ? `sum(${c})` : "0") + ` AS ${c}`).join(", ")}
        FROM ${SUMMARY_ROWS} s ${summaryJoin(by, "s")}
       WHERE s.kind = :kind AND s.period >= :pFrom AND s.period < :pTo GROUP BY 1
${DAILY.has(kind) ? "" : edgeParts}
      UNION ALL
      SELECT ${ticketKey(by, "created_at")}, ${cols([]).replace("0 AS open_overdue", "count(*) AS open_overdue")}
        FROM tickets t ${ticketJoin(by)}
       WHERE t.status <> 'closed' AND t.created_at >= :from AND t.created_at < :to AND t.deadline_at < :now GROUP BY 1
      UNION ALL
      SELECT ${ticketKey(by, "created_at")}, ${cols([]).replace("0 AS em_pending", "count(*) AS em_pending")}
        FROM tickets t ${ticketJoin(by)}
       WHERE t.created_at > CAST(:now AS timestamptz) - :dispatch * interval '1 minute' AND t.created_at >= :from AND t.created_at < :to
         AND ${em} AND t.crew_dispatched_at IS NULL GROUP BY 1
    )
    SELECT k, ${SUMMED.map((c) => `sum(${c})::float8 AS ${c}`).join(", ")} FROM parts GROUP BY k
    HAVING sum(received) > 0 OR sum(closed) > 0 ORDER BY k`;
  const [e0, e1] = s.edges as [{ a: Date; b: Date }, { a: Date; b: Date }];
  const rows = await db.query<Record<string, number | string>>(sql, {
    type: QueryTypes.SELECT,
    replacements: { kind, pFrom: s.pFrom, pTo: s.pTo, e0a: e0.a, e0b: e0.b, e1a: e1.a, e1b: e1.b, from: period.from, to: period.to, now, tz, dispatch },
  });
  const resolved = rows.reduce((a, r) => a + Number(r.resolved), 0);
  const exact = resolved <= (opts.exactPercentileLimit ?? EXACT_PERCENTILE_LIMIT) ? await exactPercentiles(period, by, tz) : null;
  return rows.map((r) => {
    const key = String(r.k ?? "");
    const hist = HIST_COLUMNS.map((c) => Number(r[c]));
    const pct = exact ? (exact.get(key) ?? [null, null]) : [histQuantile(hist, 0.5), histQuantile(hist, 0.9)];
    const rated = Number(r.rated);
    return {
      key,
      metrics: toMetrics({ ...r, em: Number(r.em_total) - Number(r.em_pending), rating_avg: rated > 0 ? Number(r.rating_sum) / rated : null, p50: pct[0], p90: pct[1] }),
    };
  });
}

async function exactPercentiles(period: Period, by: Breakdown, tz: string): Promise<Map<string, [number | null, number | null]>> {
  const rows = await sequelize().query<{ k: string; p50: number | null; p90: number | null }>(
    `SELECT k, pct[1] AS p50, pct[2] AS p90 FROM (
       SELECT ${ticketKey(by, "closed_at")} AS k,
              percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM t.closed_at - t.created_at) / 3600) AS pct
         FROM tickets t ${ticketJoin(by)}
        WHERE t.reported_at IS NOT NULL AND t.closed_at >= :from AND t.closed_at < :to
        GROUP BY 1) x`,
    { type: QueryTypes.SELECT, replacements: { from: period.from, to: period.to, tz } },
  );
  return new Map(rows.map((r) => [String(r.k ?? ""), [r.p50 === null ? null : Number(r.p50), r.p90 === null ? null : Number(r.p90)]]));
}
