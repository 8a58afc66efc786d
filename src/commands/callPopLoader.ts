// The screen-pop: what an operator needs the moment a call rings — who calls (matched residents
// and their addresses), their open tickets and those of their buildings, active outages at
// those addresses, and their recent calls. Read-only; runs inside the caller's transaction.
//
// It is read in one fixed, prepared statement: the pop is on the path from the phone ringing to
// the operator's screen, and with thirty calls ringing at once the model layer (five queries,
// forty ticket instances with five includes each) and planning the statement anew each time
// cost more than the database spent answering.
import { systemActor, type Ctx } from "../context.ts";
import type { Call } from "../models/Call.ts";
import { presentPop, type PopOutage, type PopRecentCall, type PopResident } from "../presenters/call.ts";
import { preparedQuery } from "../db/prepared.ts";
import { SUMMARY_ROWS_FROM, summaryRowFromJson } from "./ticketSummaryRows.ts";

const LIMIT = 20;
const POP_ACTOR = systemActor("всплывающая карточка");

interface PopFacts {
  residents: PopResident[];
  tickets: Array<Record<string, unknown>>;
  buildingTickets: Array<Record<string, unknown>>;
  outages: Array<Omit<PopOutage, "startsAt" | "expectedEndAt"> & { startsAt: string; expectedEndAt: string }>;
  recentCalls: PopRecentCall[];
}

// $1: the resident's number, $2: this call's id. At most one resident has a
// number (residents_phone is unique). Tickets are read per resident, per contact phone and per
// building, each in its own index order (tickets_resident, tickets_open_contact_phone,
// tickets_building), then merged: an IN over a subquery let the planner walk every open ticket.
const POP_SQL = `
WITH r AS (
  SELECT id, full_name, phone FROM residents WHERE phone = $1 AND anonymised_at IS NULL ORDER BY id LIMIT 5
), ra AS (
  SELECT ra.resident_id, a.id, a.number, a.building_id, b.settlement, b.street, b.house, b.building_part
    FROM resident_apartments ra JOIN apartments a ON a.id = ra.apartment_id JOIN buildings b ON b.id = a.building_id
   WHERE ra.resident_id IN (SELECT id FROM r)
), own AS (
  SELECT id, created_at FROM (
    (SELECT x.id, x.created_at FROM r CROSS JOIN LATERAL (
       SELECT t.id, t.created_at FROM tickets t WHERE t.resident_id = r.id AND t.status <> 'closed' ORDER BY t.created_at DESC, t.id DESC LIMIT ${LIMIT}) x)
    UNION
    (SELECT t.id, t.created_at FROM tickets t WHERE t.contact_phone = $1 AND t.status <> 'closed' ORDER BY t.created_at DESC, t.id DESC LIMIT ${LIMIT})
  ) x ORDER BY created_at DESC, id DESC LIMIT ${LIMIT}
), bt AS (
  SELECT x.id, x.created_at FROM (SELECT DISTINCT building_id FROM ra) rb CROSS JOIN LATERAL (
    SELECT t.id, t.created_at FROM tickets t WHERE t.building_id = rb.building_id AND t.status <> 'closed' ORDER BY t.created_at DESC, t.id DESC LIMIT ${LIMIT}) x
   ORDER BY x.created_at DESC, x.id DESC LIMIT ${LIMIT}
)
SELECT
  (SELECT coalesce(json_agg(json_build_object('id', r.id, 'fullName', r.full_name, 'phone', r.phone, 'apartments',
      (SELECT coalesce(json_agg(json_build_object('id', ra.id, 'number', ra.number, 'buildingId', ra.building_id,
          'building', json_build_object('settlement', ra.settlement, 'street', ra.street, 'house', ra.house, 'buildingPart', ra.building_part))
        ORDER BY ra.id), '[]') FROM ra WHERE ra.resident_id = r.id)) ORDER BY r.id), '[]') FROM r) AS residents,
  (SELECT coalesce(json_agg(s ORDER BY s."createdAt" DESC, s.id DESC), '[]') FROM (${SUMMARY_ROWS_FROM} WHERE t.id IN (SELECT id FROM own)) s) AS tickets,
  (SELECT coalesce(json_agg(s ORDER BY s."createdAt" DESC, s.id DESC), '[]') FROM (${SUMMARY_ROWS_FROM} WHERE t.id IN (SELECT id FROM bt EXCEPT SELECT id FROM own)) s) AS "buildingTickets",
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT o.id, o.resource, o.kind, o.starts_at AS "startsAt", o.expected_end_at AS "expectedEndAt", o.reason,
            array_agg(ob.building_id ORDER BY ob.building_id) AS "buildingIds"
       FROM outages o JOIN outage_buildings ob ON ob.outage_id = o.id
      WHERE o.ended_at IS NULL AND o.cancelled_at IS NULL AND o.starts_at <= now() AND ob.building_id IN (SELECT building_id FROM ra)
      GROUP BY o.id ORDER BY o.starts_at DESC LIMIT ${LIMIT}) x) AS outages,
  (SELECT coalesce(json_agg(x), '[]') FROM (
     SELECT c.id, c.direction, c.started_at AS "startedAt", c.outcome, u.full_name AS "operatorName"
       FROM (
         (SELECT id, direction, started_at, outcome, operator_user_id FROM calls WHERE caller_number = $1 AND id <> $2 ORDER BY started_at DESC LIMIT 10)
         UNION
         (SELECT id, direction, started_at, outcome, operator_user_id FROM calls WHERE direction = 'outbound' AND called_number = $1 AND id <> $2 ORDER BY started_at DESC LIMIT 10)
       ) c LEFT JOIN users u ON u.id = c.operator_user_id
      ORDER BY c.started_at DESC, c.id DESC LIMIT 10) x) AS "recentCalls"`;

export async function callPopLoader({ ctx, call }: { ctx: Ctx; call: Call }) {
  const t = ctx.transaction;
  const number = call.direction === "inbound" ? call.callerNumber : call.calledNumber;
  if (!number) return presentPop(call, POP_ACTOR, { residents: [], tickets: [], buildingTickets: [], outages: [], recentCalls: [] });
  const [f] = await preparedQuery<PopFacts>(t, "op_call_pop", POP_SQL, [number, call.id]);
  if (!f) throw new Error("the pop statement returned no row");
  return presentPop(call, POP_ACTOR, {
    residents: f.residents,
    tickets: f.tickets.map(summaryRowFromJson),
    buildingTickets: f.buildingTickets.map(summaryRowFromJson),
    outages: f.outages.map((o) => ({ ...o, startsAt: new Date(o.startsAt), expectedEndAt: new Date(o.expectedEndAt) })),
    recentCalls: f.recentCalls,
  });
}
