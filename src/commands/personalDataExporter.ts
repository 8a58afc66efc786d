// 152-ФЗ art. 14: everything held about one resident, on request.
import { QueryTypes } from "sequelize";
import type { Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { errors } from "../errors.ts";
import { Resident } from "../models/Resident.ts";
import { authorize } from "../policies/index.ts";
import { logPersonalDataView } from "./personalDataViewLogger.ts";

export async function personalDataExporter({ ctx, residentId }: { ctx: Ctx; residentId: number }) {
  authorize(ctx.actor, "personalData:export");
  const t = ctx.transaction;
  const r = await Resident.findByPk(residentId, { transaction: t });
  if (!r) throw errors.notFound("resident");
  const q = <T extends object>(sql: string) => sequelize().query<T>(sql, { bind: [residentId], type: QueryTypes.SELECT, transaction: t });
  const [apartments, tickets, history, attempts, attachments, identities, consents, views] = await Promise.all([
    q(`SELECT a.id, b.settlement, b.street, b.house, b.building_part, a.number AS apartment, a.personal_account, ra.created_at AS linked_at
         FROM resident_apartments ra JOIN apartments a ON a.id = ra.apartment_id JOIN buildings b ON b.id = a.building_id WHERE ra.resident_id = $1 ORDER BY a.id`),
    q(`SELECT t.id, t.number, t.status, t.channel, t.contact_name, t.contact_phone, t.address_text, c.name AS category, t.description, t.emergency,
              t.rating, t.rating_comment, t.created_at, t.closed_at
         FROM tickets t JOIN categories c ON c.id = t.category_id WHERE t.resident_id = $1 ORDER BY t.id`),
    q(`SELECT h.ticket_id, h.action, h.from_status, h.to_status, h.actor_kind, h.reason, h.created_at
         FROM ticket_history h JOIN tickets t ON t.id = h.ticket_id WHERE t.resident_id = $1 ORDER BY h.id`),
    q(`SELECT ca.ticket_id, ca.phone, ca.outcome, ca.note, ca.created_at FROM contact_attempts ca JOIN tickets t ON t.id = ca.ticket_id WHERE t.resident_id = $1 ORDER BY ca.id`),
    q(`SELECT at.ticket_id, at.original_name, at.created_at FROM attachments at JOIN tickets t ON t.id = at.ticket_id WHERE t.resident_id = $1 ORDER BY at.id`),
    q(`SELECT channel, external_id, username, blocked_at, created_at FROM messenger_identities WHERE resident_id = $1 ORDER BY id`),
    q(`SELECT c.version, c.given, c.channel, c.created_at, ct.text FROM resident_consents c JOIN consent_texts ct ON ct.version = c.version WHERE c.resident_id = $1 ORDER BY c.id`),
    q(`SELECT v.created_at, v.source, v.ticket_id, u.full_name AS viewer, o.short_name AS organisation
         FROM personal_data_views v JOIN users u ON u.id = v.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
        WHERE v.resident_id = $1 ORDER BY v.id`),
  ]);
  await logPersonalDataView(ctx.actor, [{ residentId }], "export");
  return {
    exportedAt: new Date().toISOString(),
    resident: { id: r.id, fullName: r.fullName, phone: r.phone, email: r.email, consentAt: r.consentAt, consentVersion: r.consentVersion, anonymisedAt: r.anonymisedAt, createdAt: r.createdAt },
    apartments,
    tickets: tickets.map((tk) => ({
      ...tk,
      history: history.filter((h) => (h as { ticket_id: number }).ticket_id === (tk as { id: number }).id),
      contactAttempts: attempts.filter((a) => (a as { ticket_id: number }).ticket_id === (tk as { id: number }).id),
      attachments: attachments.filter((a) => (a as { ticket_id: number }).ticket_id === (tk as { id: number }).id),
    })),
    messengerAccounts: identities,
    consents,
    accessLog: views,
  };
}
