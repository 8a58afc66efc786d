// The report engine: one SQL statement computes every figure for a period, grouped by one
// breakdown. Figures about intake (received, emergency dispatch, still-open overdue) count
// tickets CREATED in the period; figures about results (closed, on time, late, reopened, time
// to close, confirmation, rating) count tickets CLOSED in the period. docs/reports-api.md
// defines each figure; test/reports/metrics.test.ts recounts each one independently.
import { QueryTypes } from "sequelize";
import { config } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import type { Breakdown, Period } from "./period.ts";
import { summaryApplies, summaryMetrics } from "./summary.ts";

export const METRICS = [
  "received",
  "closed",
  "resolved",
  "onTime",
  "closedLate",
  "openOverdue",
  "overdue",
  "reopened",
  "medianHoursToClose",
  "p90HoursToClose",
  "emergencyReceived",
  "emergencyDispatchedInTime",
  "emergencyDispatchLate",
  "confirmationBase",
  "confirmed",
  "closedNoAnswer",
  "closedUnreachable",
  "rated",
  "ratingAverage",
  "dissatisfied",
  "onTimeShare",
  "reopenRate",
  "confirmationRate",
  "emergencyCompliance",
] as const;
export type Metric = (typeof METRICS)[number];
export type Metrics = Record<Metric, number | null>;

export const METRIC_LABELS: Record<Metric, string> = {
  received: "Поступило",
  closed: "Закрыто",
  resolved: "Выполнено и закрыто",
  onTime: "Выполнено в срок",
  closedLate: "Выполнено с нарушением срока",
  openOverdue: "Не выполнено, срок истёк",
  overdue: "Просрочено всего",
  reopened: "Возвращено жителем на доработку",
  medianHoursToClose: "Медиана времени до закрытия, ч",
  p90HoursToClose: "90-й процентиль времени до закрытия, ч",
  emergencyReceived: "Аварийных заявок",
  emergencyDispatchedInTime: "Выезд аварийной бригады в течение 30 мин",
  emergencyDispatchLate: "Выезд аварийной бригады позже 30 мин или не отмечен",
  confirmationBase: "Закрыто после проверки УО",
  confirmed: "Подтверждено жителем",
  closedNoAnswer: "Закрыто: житель не ответил",
  closedUnreachable: "Закрыто: житель недоступен",
  rated: "Получено оценок",
  ratingAverage: "Средняя оценка",
  dissatisfied: "Оценок 1–2",
  onTimeShare: "Доля выполненных в срок",
  reopenRate: "Доля возвращённых",
  confirmationRate: "Доля подтверждённых жителем",
  emergencyCompliance: "Доля аварийных с выездом за 30 мин",
};

/** Which tickets the viewer may count: all, one УО's, or one executor's. */
export type ReportScope = { kind: "all" } | { kind: "uo"; orgId: number } | { kind: "executor"; orgId: number } | { kind: "none" };

export interface ReportFilters {
  uoId?: number;
  executorOrgId?: number;
  categoryId?: number;
  channel?: string;
}

export interface MetricsRow {
  key: string; // '' for "none" (no УО, no district…)
  metrics: Metrics;
}

function keyExpr(by: Breakdown, eventCol: "created_at" | "closed_at"): string {
  switch (by) {
    case "total":
      return "''";
    case "uo":
      return "coalesce(t.uo_id::text, '')";
    case "executor":
      return "coalesce(t.executor_org_id::text, '')";
    case "district":
      return "coalesce(b.city_district, '')";
    case "category":
      return "t.category_id::text";
    case "building":
      return "coalesce(t.building_id::text, '')";
    case "channel":
      return "t.channel";
    case "day":
    case "week":
    case "month":
      return `date_trunc('${by}', t.${eventCol} AT TIME ZONE :tz)`;
  }
}

function whereScope(scope: ReportScope, f: ReportFilters): string {
  const parts: string[] = [];
  if (scope.kind === "none") parts.push("false");
  if (scope.kind === "uo") parts.push("t.uo_id = :scopeOrg");
  if (scope.kind === "executor") parts.push("t.executor_org_id = :scopeOrg");
  if (f.uoId) parts.push("t.uo_id = :uoId");
  if (f.executorOrgId) parts.push("t.executor_org_id = :executorOrgId");
  if (f.categoryId) parts.push("t.category_id = :categoryId");
  if (f.channel) parts.push("t.channel = :channel");
  return parts.map((p) => ` AND ${p}`).join("");
}

const TIME_KEYS: readonly Breakdown[] = ["day", "week", "month"];
const needsBuilding = (by: Breakdown) => by === "district";

export async function computeMetrics(period: Period, by: Breakdown, scope: ReportScope, filters: ReportFilters = {}, now = new Date()): Promise<MetricsRow[]> {
  // Whole-district reports read the summary table (src/reports/summary.ts); filtered and
  // narrower scopes select few tickets and count them directly below.
  if (summaryApplies(scope, filters)) {
    const fromSummary = await summaryMetrics(period, by, now);
    if (fromSummary) return fromSummary;
  }
  const join = needsBuilding(by) ? "LEFT JOIN buildings b ON b.id = t.building_id" : "";
  const extra = whereScope(scope, filters);
  const sql = `
    WITH c AS (
      SELECT ${keyExpr(by, "created_at")} AS k,
        count(*) AS received,
        count(*) FILTER (WHERE t.status <> 'closed' AND t.deadline_at < :now) AS open_overdue,
        count(*) FILTER (WHERE t.emergency AND coalesce(t.closure_kind, '') NOT IN ('declined', 'withdrawn')
                           AND (t.crew_dispatched_at IS NOT NULL OR t.created_at + :dispatch * interval '1 minute' <= :now)) AS em,
        count(*) FILTER (WHERE t.emergency AND coalesce(t.closure_kind, '') NOT IN ('declined', 'withdrawn')
                           AND t.crew_dispatched_at <= t.created_at + :dispatch * interval '1 minute') AS em_ok
      FROM tickets t ${join}
      WHERE t.created_at >= :from AND t.created_at < :to ${extra}
      GROUP BY 1
    ), d AS (
      SELECT ${keyExpr(by, "closed_at")} AS k,
        count(*) AS closed,
        count(*) FILTER (WHERE t.reported_at IS NOT NULL) AS resolved,
        count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reported_at <= t.deadline_at) AS on_time,
        count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reported_at > t.deadline_at) AS late,
        count(*) FILTER (WHERE t.reported_at IS NOT NULL AND t.reopened_count > 0) AS reopened,
        percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM t.closed_at - t.created_at) / 3600)
          FILTER (WHERE t.reported_at IS NOT NULL) AS pct,
        count(*) FILTER (WHERE t.verified_at IS NOT NULL
          AND t.closure_kind IN ('resident_confirmed', 'operator_confirmed', 'no_answer', 'unreachable')) AS conf_base,
        count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind IN ('resident_confirmed', 'operator_confirmed')) AS confirmed,
        count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind = 'no_answer') AS no_answer,
        count(*) FILTER (WHERE t.verified_at IS NOT NULL AND t.closure_kind = 'unreachable') AS unreachable,
        count(t.rating) AS rated,
        avg(t.rating)::float8 AS rating_avg,
        count(*) FILTER (WHERE t.rating <= 2) AS dissatisfied
      FROM tickets t ${join}
      WHERE t.closed_at >= :from AND t.closed_at < :to ${extra}
      GROUP BY 1
    )
    SELECT ${TIME_KEYS.includes(by) ? "to_char(coalesce(c.k, d.k), 'YYYY-MM-DD')" : "coalesce(c.k, d.k)"} AS k, c.received, c.open_overdue, c.em, c.em_ok, d.closed, d.resolved, d.on_time, d.late,
           d.reopened, d.pct[1] AS p50, d.pct[2] AS p90, d.conf_base, d.confirmed, d.no_answer, d.unreachable, d.rated, d.rating_avg, d.dissatisfied
      FROM c FULL JOIN d ON c.k = d.k
     ORDER BY 1`;
  const rows = await sequelize().query<Record<string, number | string | null>>(sql, {
    type: QueryTypes.SELECT,
    replacements: {
      from: period.from,
      to: period.to,
      now,
      tz: config().district.timezone,
      dispatch: config().workflow.emergencyDispatchMinutes,
      scopeOrg: scope.kind === "uo" || scope.kind === "executor" ? scope.orgId : null,
      uoId: filters.uoId ?? null,
      executorOrgId: filters.executorOrgId ?? null,
      categoryId: filters.categoryId ?? null,
      channel: filters.channel ?? null,
    },
  });
  return rows.map((r) => ({ key: String(r.k ?? ""), metrics: toMetrics(r) }));
}

const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
const round = (v: number | null, digits = 2) => (v === null || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const share = (a: number, b: number) => (b > 0 ? round(a / b, 4) : null);

export function toMetrics(r: Record<string, unknown>): Metrics {
  const resolved = n(r.resolved);
  const onTime = n(r.on_time);
  const late = n(r.late);
  const openOverdue = n(r.open_overdue);
  const em = n(r.em);
  const emOk = n(r.em_ok);
  const confBase = n(r.conf_base);
  const confirmed = n(r.confirmed);
  return {
    received: n(r.received),
    closed: n(r.closed),
    resolved,
    onTime,
    closedLate: late,
    openOverdue,
    overdue: late + openOverdue,
    reopened: n(r.reopened),
    medianHoursToClose: r.p50 === null || r.p50 === undefined ? null : round(Number(r.p50), 1),
    p90HoursToClose: r.p90 === null || r.p90 === undefined ? null : round(Number(r.p90), 1),
    emergencyReceived: em,
    emergencyDispatchedInTime: emOk,
    emergencyDispatchLate: em - emOk,
    confirmationBase: confBase,
    confirmed,
    closedNoAnswer: n(r.no_answer),
    closedUnreachable: n(r.unreachable),
    rated: n(r.rated),
    ratingAverage: r.rating_avg === null || r.rating_avg === undefined ? null : round(Number(r.rating_avg), 2),
    dissatisfied: n(r.dissatisfied),
    onTimeShare: share(onTime, onTime + late + openOverdue),
    reopenRate: share(n(r.reopened), resolved),
    confirmationRate: share(confirmed, confBase),
    emergencyCompliance: share(emOk, em),
  };
}

export function emptyMetrics(): Metrics {
  return toMetrics({});
}
