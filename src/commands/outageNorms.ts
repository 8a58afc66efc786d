// Checks outages against ПП № 354, Приложение 1 (permitted interruption of each utility, at a
// time and in total per month), per building. The figures and their legal references are data:
// config/reference/norms-ru.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { config, rootDir } from "../config.ts";
import { sequelize } from "../db/sequelize.ts";
import type { Resource } from "../models/Category.ts";

interface NormItem {
  id: string;
  clause: string;
  name: string;
  maxSingleHours?: number | null;
  maxMonthTotalHours?: number | null;
  maxHoursOneSource?: number;
  maxHoursTwoIndependentSources?: number;
  singleInterruptionByRoomTemperature?: Array<{ roomTempFromC: number; maxSingleHours: number }>;
  verified?: boolean;
}

export interface NormLimit {
  single: number | null;
  month: number | null;
  clause: string;
  act: string;
  actUrl: string;
  verified: boolean;
  note?: string;
}

let cache: Record<string, NormLimit> | undefined;

/** The limits per resource as the reference file states them. */
export function normLimits(): Record<string, NormLimit> {
  if (cache) return cache;
  const doc = JSON.parse(readFileSync(path.join(rootDir, "config", "reference", "norms-ru.json"), "utf8")).pp354_app1_interruptions;
  const out: Record<string, NormLimit> = {};
  for (const it of doc.items as NormItem[]) {
    let single = it.maxSingleHours ?? null;
    let note: string | undefined;
    if (it.singleInterruptionByRoomTemperature?.length) {
      // Room temperature is not known here: the most lenient band (from +12 °C) is checked.
      const bands = [...it.singleInterruptionByRoomTemperature].sort((a, b) => b.roomTempFromC - a.roomTempFromC);
      single = bands[0]!.maxSingleHours;
      note = bands.map((b) => `${b.maxSingleHours} ч при температуре в помещении от +${b.roomTempFromC} °C`).join("; ");
    }
    if (it.maxHoursOneSource) {
      // Supply redundancy of the building is not recorded: the one-source limit is checked.
      single = it.maxHoursOneSource;
      note = `${it.maxHoursTwoIndependentSources} ч при двух независимых источниках питания, ${it.maxHoursOneSource} ч при одном`;
    }
    out[it.id] = { single, month: it.maxMonthTotalHours ?? null, clause: it.clause, act: doc.act, actUrl: doc.actUrl, verified: !!it.verified, note };
  }
  cache = out;
  return out;
}

export interface Interval {
  outageId: number;
  buildingId: number;
  resource: Resource;
  start: Date;
  end: Date; // actual end, or now / expected end for an open outage
}

export interface NormFlag {
  buildingId: number;
  resource: Resource;
  rule: "single" | "month";
  hours: number;
  limitHours: number;
  month?: string;
  outageIds: number[];
  legalRef: string;
  actUrl: string;
  note?: string;
}

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/** Pure check: flags each interval over the single limit and each building-month over the monthly one. */
export function evaluateNorms(intervals: Interval[], timezone: string): NormFlag[] {
  const limits = normLimits();
  const flags: NormFlag[] = [];
  const months = new Map<string, { ms: number; ids: Set<number>; i: Interval; month: string }>();
  for (const i of intervals) {
    const l = limits[i.resource];
    if (!l) continue;
    const ref = `${l.act}, ${l.clause}`;
    const dur = i.end.getTime() - i.start.getTime();
    if (l.single !== null && dur > l.single * 3_600_000)
      flags.push({ buildingId: i.buildingId, resource: i.resource, rule: "single", hours: hours(dur), limitHours: l.single, outageIds: [i.outageId], legalRef: ref, actUrl: l.actUrl, note: l.note });
    // Split by calendar month in the district's time zone.
    let cur = DateTime.fromJSDate(i.start, { zone: timezone });
    const end = DateTime.fromJSDate(i.end, { zone: timezone });
    while (cur < end) {
      const next = DateTime.min(cur.startOf("month").plus({ months: 1 }), end);
      const month = cur.toFormat("yyyy-MM");
      const key = `${i.buildingId}|${i.resource}|${month}`;
      const m = months.get(key) ?? { ms: 0, ids: new Set<number>(), i, month };
      m.ms += next.toMillis() - cur.toMillis();
      m.ids.add(i.outageId);
      months.set(key, m);
      cur = next;
    }
  }
  for (const m of months.values()) {
    const l = limits[m.i.resource]!;
    if (l.month !== null && m.ms > l.month * 3_600_000)
      flags.push({
        buildingId: m.i.buildingId,
        resource: m.i.resource,
        rule: "month",
        hours: hours(m.ms),
        limitHours: l.month,
        month: m.month,
        outageIds: [...m.ids].sort((a, b) => a - b),
        legalRef: `${l.act}, ${l.clause}`,
        actUrl: l.actUrl,
      });
  }
  return flags.sort((a, b) => a.buildingId - b.buildingId || a.resource.localeCompare(b.resource) || a.rule.localeCompare(b.rule));
}

/**
 * Flags for outages touching [from, to) — per building, with monthly totals. An open outage
 * counts until now, or until its expected end when that is later (a forecast of the breach).
 */
export async function normFlags(opts: { from: Date; to: Date; buildingIds?: number[]; outageId?: number; now?: Date }): Promise<NormFlag[]> {
  const now = opts.now ?? new Date(); // $3: open outages last at least until now
  const rows = await sequelize().query<{ outage_id: number; building_id: number; resource: Resource; starts_at: Date; end_at: Date }>(
    `SELECT o.id AS outage_id, ob.building_id, o.resource, o.starts_at,
            coalesce(o.ended_at, greatest(o.expected_end_at, $3::timestamptz)) AS end_at
       FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id
      WHERE o.cancelled_at IS NULL AND o.starts_at < $2 AND coalesce(o.ended_at, 'infinity') > $1
        AND ($4::int[] IS NULL OR ob.building_id = ANY($4::int[]))
        AND ($5::int IS NULL OR ob.building_id IN (SELECT building_id FROM outage_buildings WHERE outage_id = $5))`,
    { bind: [opts.from, opts.to, now, opts.buildingIds ?? null, opts.outageId ?? null], type: QueryTypes.SELECT },
  );
  const flags = evaluateNorms(
    rows.map((r) => ({ outageId: r.outage_id, buildingId: r.building_id, resource: r.resource, start: r.starts_at, end: r.end_at })),
    config().district.timezone,
  );
  return opts.outageId ? flags.filter((f) => f.outageIds.includes(opts.outageId!)) : flags;
}
