// An independent recount of every report figure from raw ticket rows (plain SQL SELECT of the
// columns, arithmetic in TypeScript), following the definitions in docs/reports-api.md.
import { QueryTypes } from "sequelize";
import { sequelize } from "../../src/db/sequelize.ts";

export interface Raw {
  id: number;
  uo_id: number | null;
  executor_org_id: number | null;
  category_id: number;
  building_id: number | null;
  channel: string;
  status: string;
  emergency: boolean;
  created_at: Date;
  closed_at: Date | null;
  reported_at: Date | null;
  verified_at: Date | null;
  deadline_at: Date;
  crew_dispatched_at: Date | null;
  closure_kind: string | null;
  reopened_count: number;
  rating: number | null;
}

export async function rawTickets(uoIds: number[]): Promise<Raw[]> {
  return sequelize().query<Raw>(
    `SELECT id, uo_id, executor_org_id, category_id, building_id, channel, status, emergency, created_at, closed_at, reported_at,
            verified_at, deadline_at, crew_dispatched_at, closure_kind, reopened_count, rating
       FROM tickets WHERE uo_id IN (:uoIds)`,
    { type: QueryTypes.SELECT, replacements: { uoIds } },
  );
}

/** percentile_cont: linear interpolation between the closest ranks. */
export function percentileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

const r = (x: number | null, d: number) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);

export function expectedMetrics(rows: Raw[], from: Date, to: Date, now: Date, dispatchMinutes = 30) {
  const created = rows.filter((t) => t.created_at >= from && t.created_at < to);
  const closed = rows.filter((t) => t.closed_at && t.closed_at >= from && t.closed_at < to);
  const resolved = closed.filter((t) => t.reported_at);
  const window = (t: Raw) => new Date(t.created_at.getTime() + dispatchMinutes * 60_000);
  const em = created.filter(
    (t) => t.emergency && !["declined", "withdrawn"].includes(t.closure_kind ?? "") && (t.crew_dispatched_at !== null || window(t) <= now),
  );
  const emOk = em.filter((t) => t.crew_dispatched_at !== null && t.crew_dispatched_at <= window(t));
  const onTime = resolved.filter((t) => t.reported_at! <= t.deadline_at).length;
  const late = resolved.length - onTime;
  const openOverdue = created.filter((t) => t.status !== "closed" && t.deadline_at < now).length;
  const verifiedClosed = closed.filter((t) => t.verified_at);
  const confBase = verifiedClosed.filter((t) => ["resident_confirmed", "operator_confirmed", "no_answer", "unreachable"].includes(t.closure_kind ?? ""));
  const confirmed = confBase.filter((t) => ["resident_confirmed", "operator_confirmed"].includes(t.closure_kind!)).length;
  const rated = closed.filter((t) => t.rating !== null);
  const hours = resolved.map((t) => (t.closed_at!.getTime() - t.created_at.getTime()) / 3_600_000);
  const reopened = resolved.filter((t) => t.reopened_count > 0).length;
  const share = (a: number, b: number) => (b > 0 ? r(a / b, 4) : null);
  return {
    received: created.length,
    closed: closed.length,
    resolved: resolved.length,
    onTime,
    closedLate: late,
    openOverdue,
    overdue: late + openOverdue,
    reopened,
    medianHoursToClose: r(percentileCont(hours, 0.5), 1),
    p90HoursToClose: r(percentileCont(hours, 0.9), 1),
    emergencyReceived: em.length,
    emergencyDispatchedInTime: emOk.length,
    emergencyDispatchLate: em.length - emOk.length,
    confirmationBase: confBase.length,
    confirmed,
    closedNoAnswer: confBase.filter((t) => t.closure_kind === "no_answer").length,
    closedUnreachable: confBase.filter((t) => t.closure_kind === "unreachable").length,
    rated: rated.length,
    ratingAverage: rated.length ? r(rated.reduce((s, t) => s + t.rating!, 0) / rated.length, 2) : null,
    dissatisfied: rated.filter((t) => t.rating! <= 2).length,
    onTimeShare: share(onTime, onTime + late + openOverdue),
    reopenRate: share(reopened, resolved.length),
    confirmationRate: share(confirmed, confBase.length),
    emergencyCompliance: share(emOk.length, em.length),
  };
}
