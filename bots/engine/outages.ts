// Outages at the resident's addresses, current and planned, from the outage registry.
// The registry (outages + outage_buildings) is another issue's; until it exports a query,
// this reads its tables, and says "not connected" when they do not exist.
import { QueryTypes } from "sequelize";
import { sequelize } from "../../src/db/sequelize.ts";
import type { Ctx } from "../../src/context.ts";
import { localTime } from "../../src/presenters/ticket.ts";

export interface OutageLine {
  resource: string;
  kind: "planned" | "emergency";
  startsAt: Date;
  expectedEndAt: Date;
  reason: string;
  address: string;
}

const RESOURCE_LABELS: Record<string, string> = {
  cold_water: "холодная вода",
  hot_water: "горячая вода",
  heating: "отопление",
  electricity: "электроснабжение",
  gas: "газ",
  sewerage: "канализация",
};

/** null when the registry is not installed. */
export async function outagesForResident(ctx: Ctx, residentId: number, now = new Date()): Promise<OutageLine[] | null> {
  const [reg] = await sequelize().query<{ ok: boolean }>(
    "SELECT to_regclass('public.outages') IS NOT NULL AND to_regclass('public.outage_buildings') IS NOT NULL AS ok",
    { type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  if (!reg?.ok) return null;
  const rows = await sequelize().query<{ resource: string; kind: "planned" | "emergency"; starts_at: Date; expected_end_at: Date; reason: string; address: string }>(
    `SELECT DISTINCT o.id, o.resource, o.kind, o.starts_at, o.expected_end_at, o.reason,
            b.street || ', д. ' || b.house || CASE WHEN b.building_part <> '' THEN ', корп. ' || b.building_part ELSE '' END AS address
       FROM resident_apartments ra
       JOIN apartments a ON a.id = ra.apartment_id
       JOIN buildings b ON b.id = a.building_id
       JOIN outage_buildings ob ON ob.building_id = b.id
       JOIN outages o ON o.id = ob.outage_id
      WHERE ra.resident_id = $1 AND o.cancelled_at IS NULL AND o.ended_at IS NULL AND o.expected_end_at > $2
      ORDER BY o.starts_at, o.id`,
    { bind: [residentId, now], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  return rows.map((r) => ({
    resource: r.resource,
    kind: r.kind,
    startsAt: new Date(r.starts_at),
    expectedEndAt: new Date(r.expected_end_at),
    reason: r.reason,
    address: r.address,
  }));
}

export function outageText(o: OutageLine, now = new Date()): string {
  const what = RESOURCE_LABELS[o.resource] ?? o.resource;
  const when = o.startsAt <= now ? `сейчас, до ${localTime(o.expectedEndAt)}` : `с ${localTime(o.startsAt)} до ${localTime(o.expectedEndAt)}`;
  const kind = o.kind === "emergency" ? "аварийное" : "плановое";
  return `• ${o.address}: ${what} — ${kind} отключение ${when}. Причина: ${o.reason}`;
}
