// The rows behind ticket summaries (lists, the screen-pop): one fixed statement for a set of ids,
// the names as JSON, read as plain rows (no model-layer query building or instances). They carry
// what presentTicketSummary reads, nothing more. The names are scalar subqueries by primary key,
// not joins: planning a six-table join cost more than running it (~0.8 ms against ~0.1 ms).
import { QueryTypes, type Transaction } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import type { Ticket } from "../models/Ticket.ts";

/** The summary columns of `tickets t`, for a WHERE on `t` to follow. */
export const SUMMARY_ROWS_FROM = `
SELECT t.id, t.number, t.status, t.channel, t.emergency, t.resident_id AS "residentId", t.building_id AS "buildingId",
       t.apartment_id AS "apartmentId", t.address_text AS "addressText", t.category_id AS "categoryId", t.uo_id AS "uoId",
       t.executor_org_id AS "executorOrgId", t.executor_user_id AS "executorUserId", t.deadline_at AS "deadlineAt",
       t.dispatch_deadline_at AS "dispatchDeadlineAt", t.crew_dispatched_at AS "crewDispatchedAt",
       t.created_at AS "createdAt", t.updated_at AS "updatedAt", t.version,
       (SELECT json_build_object('id', c.id, 'code', c.code, 'name', c.name) FROM categories c WHERE c.id = t.category_id) AS category,
       (SELECT json_build_object('id', b.id, 'settlement', b.settlement, 'street', b.street, 'house', b.house, 'buildingPart', b.building_part)
          FROM buildings b WHERE b.id = t.building_id) AS building,
       (SELECT json_build_object('id', a.id, 'number', a.number) FROM apartments a WHERE a.id = t.apartment_id) AS apartment,
       (SELECT json_build_object('id', u.id, 'shortName', u.short_name) FROM organisations u WHERE u.id = t.uo_id) AS uo,
       (SELECT json_build_object('id', e.id, 'shortName', e.short_name) FROM organisations e WHERE e.id = t.executor_org_id) AS "executorOrg"
  FROM tickets t`;

const SUMMARY_ROWS_SQL = `${SUMMARY_ROWS_FROM} WHERE t.id = ANY($1::int[])`;

const DATE_FIELDS = ["deadlineAt", "dispatchDeadlineAt", "crewDispatchedAt", "createdAt", "updatedAt"] as const;

/** A summary row that came back inside JSON (json_agg of SUMMARY_ROWS_FROM): its times made Dates again. */
export function summaryRowFromJson(row: Record<string, unknown>): Ticket {
  for (const f of DATE_FIELDS) if (typeof row[f] === "string") row[f] = new Date(row[f]);
  return row as unknown as Ticket;
}

/** The summary rows of `ids`, in the order of `ids`. */
export async function ticketSummaryRowsInOrder(ids: number[], transaction?: Transaction): Promise<Ticket[]> {
  if (!ids.length) return [];
  const rows = await sequelize().query<Ticket>(SUMMARY_ROWS_SQL, { bind: [ids], type: QueryTypes.SELECT, transaction });
  const byId = new Map(rows.map((t) => [t.id, t]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
