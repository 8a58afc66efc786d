// What leaves the server about reports and ratings: JSON with chart-ready series, and flat
// tables (Russian headers) for CSV/XLSX. Aggregates only: no ticket, no person.
import { METRIC_LABELS, METRICS, type Metric, type Metrics } from "../reports/metrics.ts";
import { BREAKDOWN_LABELS } from "../reports/period.ts";
import type { Report } from "../reports/report.ts";
import type { Table } from "../reports/export.ts";
import type { UoRating } from "../reports/rating.ts";

/** The figures a chart shows by default (counts on one axis). */
export const CHART_METRICS: Metric[] = ["received", "closed", "onTime", "overdue", "reopened"];

export function presentReport(r: Report) {
  return {
    period: { from: r.period.fromDate, to: r.period.toDate },
    by: r.by,
    byLabel: BREAKDOWN_LABELS[r.by],
    filters: r.filters,
    metrics: METRICS.map((m) => ({ id: m, name: METRIC_LABELS[m] })),
    rows: r.rows.map((x) => ({ key: x.key, label: x.label, ...x.metrics })),
    total: r.total,
    chart: {
      labels: r.rows.map((x) => x.label),
      keys: r.rows.map((x) => x.key),
      series: METRICS.map((m) => ({ metric: m, name: METRIC_LABELS[m], data: r.rows.map((x) => x.metrics[m]) })),
      defaultSeries: CHART_METRICS,
    },
    generatedAt: r.generatedAt.toISOString(),
  };
}

export function reportTable(r: Report): Table {
  const values = (m: Metrics) => METRICS.map((k) => m[k]);
  return {
    title: `Отчёт ${r.period.fromDate} — ${r.period.toDate}`,
    headers: [BREAKDOWN_LABELS[r.by], ...METRICS.map((m) => METRIC_LABELS[m])],
    rows: [...r.rows.map((x) => [x.label, ...values(x.metrics)]), ...(r.by === "total" ? [] : [["Итого", ...values(r.total)]])],
  };
}

export function presentRatings(month: string, list: UoRating[]) {
  return {
    month,
    items: list.map((x) => ({
      rank: x.rank,
      uo: { id: x.uoId, name: x.name },
      score: x.rating.score,
      apartments: x.apartments,
      buildings: x.buildings,
      components: x.rating.components,
      inputs: x.metrics,
    })),
    chart: {
      labels: list.map((x) => x.name),
      series: [{ metric: "score", name: "Рейтинг, баллов из 100", data: list.map((x) => x.rating.score) }],
    },
  };
}

export function ratingTable(month: string, list: UoRating[]): Table {
  const comps = list[0]?.rating.components ?? [];
  return {
    title: `Рейтинг УО ${month}`,
    headers: [
      "Место",
      "Управляющая организация",
      "Баллы (из 100)",
      "Квартир обслуживается",
      "Домов",
      ...comps.flatMap((c) => [`${c.name}: нарушений`, `${c.name}: на 1000 квартир`, `${c.name}: балл (0–1)`]),
      ...(["received", "resolved", "onTimeShare", "reopenRate", "confirmationRate", "ratingAverage", "emergencyCompliance"] as Metric[]).map(
        (m) => METRIC_LABELS[m],
      ),
    ],
    rows: list.map((x) => [
      x.rank,
      x.name,
      x.rating.score,
      x.apartments,
      x.buildings,
      ...x.rating.components.flatMap((c) => [c.failures, c.per1000, c.score]),
      x.metrics.received,
      x.metrics.resolved,
      x.metrics.onTimeShare,
      x.metrics.reopenRate,
      x.metrics.confirmationRate,
      x.metrics.ratingAverage,
      x.metrics.emergencyCompliance,
    ]),
  };
}

/** A row of the public ticket feed. Columns are chosen one by one: never a name, phone,
 * apartment, personal account or free-text address; the description only when publishable. */
export interface PublicTicketRow {
  number: string;
  created_at: Date;
  status: string;
  category: string;
  emergency: boolean;
  channel: string;
  settlement: string | null;
  city_district: string | null;
  street: string | null;
  house: string | null;
  building_part: string | null;
  uo: string | null;
  deadline_at: Date;
  closed_at: Date | null;
  done_at: Date | null; // when the work was reported done (or closed)
  rating: number | null;
  publishable: boolean;
  description: string;
}

export function presentPublicTicket(t: PublicTicketRow, labels: { status: (s: string) => string }, now = new Date()) {
  const address = t.street ? `${t.settlement}, ${t.street}, д. ${t.house}${t.building_part ? `, корп. ${t.building_part}` : ""}` : null;
  return {
    number: t.number,
    createdAt: t.created_at.toISOString(),
    status: t.status,
    statusLabel: labels.status(t.status),
    category: t.category,
    emergency: t.emergency,
    channel: t.channel,
    address,
    district: t.city_district,
    uo: t.uo,
    deadlineAt: t.deadline_at.toISOString(),
    overdue: t.status !== "closed" ? t.deadline_at < now : !!t.done_at && t.done_at > t.deadline_at,
    closedAt: t.closed_at?.toISOString() ?? null,
    rating: t.rating,
    description: t.publishable ? t.description : null,
  };
}

export function publicTicketTable(items: ReturnType<typeof presentPublicTicket>[]): Table {
  return {
    title: "Заявки",
    headers: ["Номер", "Создана", "Статус", "Вид работ", "Аварийная", "Канал", "Адрес (дом)", "Район", "УО", "Срок", "Просрочена", "Закрыта", "Оценка", "Описание"],
    rows: items.map((t) => [
      t.number,
      t.createdAt,
      t.statusLabel,
      t.category,
      t.emergency ? "да" : "нет",
      t.channel,
      t.address,
      t.district,
      t.uo,
      t.deadlineAt,
      t.overdue ? "да" : "нет",
      t.closedAt,
      t.rating,
      t.description,
    ]),
  };
}
