// A report: the period, the breakdown, one row per key with its label, and the total row.
// Time breakdowns are filled with empty buckets so a chart's axis has no gaps.
import { DateTime } from "luxon";
import { config } from "../config.ts";
import { errors } from "../errors.ts";
import { labelsFor } from "./labels.ts";
import { computeMetrics, emptyMetrics, type Metrics, type ReportFilters, type ReportScope } from "./metrics.ts";
import { bucketCount, MAX_BUCKETS, TIME_BREAKDOWNS, type Breakdown, type Period } from "./period.ts";

export interface ReportRow {
  key: string;
  label: string;
  metrics: Metrics;
}

export interface Report {
  period: Period;
  by: Breakdown;
  filters: ReportFilters;
  rows: ReportRow[];
  total: Metrics;
  generatedAt: Date;
}

function timeKeys(period: Period, by: Breakdown): string[] {
  const zone = config().district.timezone;
  const unit = by === "day" ? "day" : by === "week" ? "week" : "month";
  const keys: string[] = [];
  let d = DateTime.fromJSDate(period.from, { zone }).startOf(unit);
  const end = DateTime.fromJSDate(period.to, { zone });
  while (d < end) {
    keys.push(d.toISODate()!);
    d = d.plus({ [`${unit}s`]: 1 });
  }
  return keys;
}

export async function buildReport(period: Period, by: Breakdown, scope: ReportScope, filters: ReportFilters = {}): Promise<Report> {
  const isTime = TIME_BREAKDOWNS.includes(by);
  if (isTime && bucketCount(period, by) > MAX_BUCKETS)
    throw errors.badRequest(`Слишком много точек на графике: выберите более крупный шаг или короткий период (не более ${MAX_BUCKETS}).`, "too_many_buckets");
  const now = new Date();
  const [rows, totalRows] = await Promise.all([
    computeMetrics(period, by, scope, filters, now),
    by === "total" ? Promise.resolve(null) : computeMetrics(period, "total", scope, filters, now),
  ]);
  const byKey = new Map(rows.map((r) => [r.key, r.metrics]));
  const keys = isTime ? timeKeys(period, by) : rows.map((r) => r.key);
  const labels = await labelsFor(by, keys);
  const out: ReportRow[] = keys.map((k) => ({ key: k, label: labels.get(k) ?? k, metrics: byKey.get(k) ?? emptyMetrics() }));
  if (!isTime) out.sort((a, b) => (b.metrics.received ?? 0) - (a.metrics.received ?? 0) || a.label.localeCompare(b.label, "ru"));
  const total = (totalRows ?? rows)[0]?.metrics ?? emptyMetrics();
  return { period, by, filters, rows: out, total, generatedAt: now };
}
