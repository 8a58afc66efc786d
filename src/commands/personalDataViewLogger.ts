// 152-ФЗ: every view of a resident's personal data by staff is logged (who, when, which record).
import type { Actor } from "../context.ts";
import { PersonalDataView } from "../models/PersonalData.ts";

/** Logs that a staff actor saw a resident's data. Fails closed: no log, no data shown. */
export async function logPersonalDataView(actor: Actor, entries: Array<{ residentId: number | null; ticketId?: number | null }>, source: string): Promise<void> {
  if (actor.kind !== "user") return;
  const rows = entries.filter((e) => e.residentId || e.ticketId).map((e) => ({ userId: actor.user.id, residentId: e.residentId, ticketId: e.ticketId ?? null, source }));
  if (!rows.length) return;
  await PersonalDataView.bulkCreate(rows);
}
