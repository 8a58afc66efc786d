// The daily e-mail digest of a УО: what came in, what is overdue, what waits for verification,
// and the outages at its buildings.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { localTime } from "../presenters/ticket.ts";
import { RESOURCE_LABELS } from "../notifications/texts.ts";
import type { Resource } from "../models/Category.ts";
import { textToHtml } from "../notifications/fanout.ts";

export interface Digest {
  subject: string;
  text: string;
  html: string;
  emails: string[];
}

export async function buildDigest(uoId: number, now: Date): Promise<Digest> {
  const q = <T extends object>(sql: string) => sequelize().query<T>(sql, { bind: [uoId, now], type: QueryTypes.SELECT });
  const [org] = await q<{ short_name: string; email: string | null }>("SELECT short_name, email FROM organisations WHERE id = $1 AND $2::timestamptz IS NOT NULL");
  const [c] = await q<{ new24: number; open: number; overdue: number; reported: number; emergency_open: number }>(
    `SELECT count(*) FILTER (WHERE created_at > $2::timestamptz - interval '24 hours')::int AS new24,
            count(*) FILTER (WHERE status <> 'closed')::int AS open,
            count(*) FILTER (WHERE status NOT IN ('closed','verified','postponed') AND deadline_at < $2)::int AS overdue,
            count(*) FILTER (WHERE status = 'reported')::int AS reported,
            count(*) FILTER (WHERE status <> 'closed' AND emergency)::int AS emergency_open
       FROM tickets WHERE uo_id = $1`,
  );
  const overdue = await q<{ number: string; deadline_at: Date }>(
    `SELECT number, deadline_at FROM tickets WHERE uo_id = $1 AND status NOT IN ('closed','verified','postponed') AND deadline_at < $2
      ORDER BY deadline_at LIMIT 20`,
  );
  const outages = await q<{ id: number; resource: Resource; starts_at: Date; expected_end_at: Date; buildings: number }>(
    `SELECT o.id, o.resource, o.starts_at, o.expected_end_at, count(*)::int AS buildings
       FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id JOIN buildings b ON b.id = ob.building_id
      WHERE b.uo_id = $1 AND o.cancelled_at IS NULL AND o.ended_at IS NULL AND o.starts_at < $2::timestamptz + interval '2 days'
      GROUP BY o.id ORDER BY o.starts_at`,
  );
  const users = await q<{ email: string }>("SELECT DISTINCT email FROM users WHERE organisation_id = $1 AND role = 'uo' AND active AND email IS NOT NULL AND $2::timestamptz IS NOT NULL");
  const emails = [...new Set([org?.email, ...users.map((u) => u.email)].filter((e): e is string => !!e).map((e) => e.toLowerCase()))];
  const lines = [
    `Сводка по заявкам на ${localTime(now)} — ${org?.short_name ?? ""}`,
    "",
    `Новых за сутки: ${c!.new24}`,
    `Открытых всего: ${c!.open} (аварийных: ${c!.emergency_open})`,
    `Просроченных: ${c!.overdue}`,
    `Ждут проверки выполнения: ${c!.reported}`,
  ];
  if (overdue.length) lines.push("", "Просроченные заявки:", ...overdue.map((o) => `• № ${o.number}, срок истёк ${localTime(o.deadline_at)}`));
  if (outages.length)
    lines.push(
      "",
      "Отключения в ваших домах:",
      ...outages.map((o) => `• № ${o.id}: ${RESOURCE_LABELS[o.resource]}, с ${localTime(o.starts_at)} до ${localTime(o.expected_end_at)}, домов: ${o.buildings}`),
    );
  const text = lines.join("\n");
  return { subject: `Ежедневная сводка по заявкам — ${org?.short_name ?? ""}`, text, html: textToHtml(text), emails };
}
