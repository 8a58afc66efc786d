// The monthly УО rating (docs/rating.md). Each failure count of the month is expressed per
// 1,000 apartments the УО serves, so that a small УО is not favoured merely by having fewer
// tickets; each component falls linearly from 1 (no failures) to 0 at its tolerance.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { computeMetrics, emptyMetrics, type Metrics } from "./metrics.ts";
import { labelsFor } from "./labels.ts";
import type { Period } from "./period.ts";

export const RATING_COMPONENTS = [
  { id: "timeliness", name: "Сроки", failure: "overdue", weight: 0.35, tolerancePer1000: 10 },
  { id: "reopens", name: "Повторные обращения", failure: "reopened", weight: 0.15, tolerancePer1000: 5 },
  { id: "confirmation", name: "Подтверждение жителем", failure: "unconfirmed", weight: 0.15, tolerancePer1000: 10 },
  { id: "satisfaction", name: "Оценки жителей", failure: "dissatisfied", weight: 0.15, tolerancePer1000: 5 },
  { id: "emergency", name: "Аварийный выезд за 30 мин", failure: "emergencyLate", weight: 0.2, tolerancePer1000: 2 },
] as const;
export type Failure = (typeof RATING_COMPONENTS)[number]["failure"];

export interface RatingInputs {
  apartments: number;
  failures: Record<Failure, number>;
}

export interface RatingComponent {
  id: string;
  name: string;
  weight: number;
  failures: number;
  per1000: number | null;
  tolerancePer1000: number;
  score: number | null; // 0..1
}

export interface RatingResult {
  score: number | null; // 0..100, null when the УО's apartments are unknown
  components: RatingComponent[];
}

const r = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/** The formula alone, on given inputs (checked on hand-made cases in test/reports/rating.test.ts). */
export function ratingScore(inp: RatingInputs): RatingResult {
  const A = inp.apartments;
  const components = RATING_COMPONENTS.map((c) => {
    const failures = inp.failures[c.failure];
    const per1000 = A > 0 ? (1000 * failures) / A : null;
    const score = per1000 === null ? null : Math.max(0, 1 - per1000 / c.tolerancePer1000);
    return {
      id: c.id,
      name: c.name,
      weight: c.weight,
      failures,
      per1000: per1000 === null ? null : r(per1000, 3),
      tolerancePer1000: c.tolerancePer1000,
      score: score === null ? null : r(score, 4),
    };
  });
  const score = A > 0 ? r(100 * components.reduce((s, c) => s + c.weight * (c.score ?? 0), 0), 1) : null;
  return { score, components };
}

export function failuresOf(m: Metrics): Record<Failure, number> {
  return {
    overdue: m.overdue ?? 0,
    reopened: m.reopened ?? 0,
    unconfirmed: (m.confirmationBase ?? 0) - (m.confirmed ?? 0),
    dissatisfied: m.dissatisfied ?? 0,
    emergencyLate: m.emergencyDispatchLate ?? 0,
  };
}

export interface UoRating {
  rank: number | null;
  uoId: number;
  name: string;
  apartments: number;
  buildings: number;
  metrics: Metrics;
  rating: RatingResult;
}

/** Apartments and buildings each active УО serves now (from the buildings register). */
async function housingStock(): Promise<Array<{ id: number; apartments: number; buildings: number }>> {
  return sequelize().query(
    `SELECT o.id, coalesce(s.apartments, 0)::int AS apartments, coalesce(s.buildings, 0)::int AS buildings
       FROM organisations o
       LEFT JOIN (SELECT b.uo_id, count(DISTINCT b.id) AS buildings, count(a.id) AS apartments
                    FROM buildings b LEFT JOIN apartments a ON a.building_id = b.id
                   WHERE b.uo_id IS NOT NULL GROUP BY b.uo_id) s ON s.uo_id = o.id
      WHERE o.type = 'management_company' AND o.active`,
    { type: QueryTypes.SELECT },
  );
}

export async function computeRatings(period: Period, onlyUoIds?: number[]): Promise<UoRating[]> {
  const [stock, rows] = await Promise.all([housingStock(), computeMetrics(period, "uo", { kind: "all" })]);
  const byUo = new Map(rows.map((x) => [x.key, x.metrics]));
  const chosen = onlyUoIds ? stock.filter((s) => onlyUoIds.includes(s.id)) : stock;
  const labels = await labelsFor("uo", chosen.map((s) => String(s.id)));
  const list: UoRating[] = chosen.map((s) => {
    const metrics = byUo.get(String(s.id)) ?? emptyMetrics();
    return {
      rank: null,
      uoId: s.id,
      name: labels.get(String(s.id)) ?? String(s.id),
      apartments: s.apartments,
      buildings: s.buildings,
      metrics,
      rating: ratingScore({ apartments: s.apartments, failures: failuresOf(metrics) }),
    };
  });
  list.sort((a, b) => (b.rating.score ?? -1) - (a.rating.score ?? -1) || b.apartments - a.apartments || a.name.localeCompare(b.name, "ru"));
  let rank = 0;
  for (const x of list) if (x.rating.score !== null) x.rank = ++rank;
  return list;
}
