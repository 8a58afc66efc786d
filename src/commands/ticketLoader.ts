// Loading tickets for commands: locked, and invisible tickets are "not found" (no disclosure).
import { sequelize } from "../db/sequelize.ts";
import { QueryTypes } from "sequelize";
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { Ticket } from "../models/Ticket.ts";
import { canViewTicket } from "../policies/ticket.ts";

export async function loadTicketForUpdate(ctx: Ctx, id: number): Promise<Ticket> {
  const t = await Ticket.findByPk(id, { transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!t || !canViewTicket(ctx.actor, t)) throw errors.notFound("ticket");
  return t;
}

/** "Иванов И. И., ООО «Ремстрой»" — who made the last change, for "already done by …" answers. */
export async function lastChangedBy(ctx: Ctx, ticketId: number): Promise<string | null> {
  const rows = await sequelize().query<{ who: string | null; role: string; action: string }>(
    `SELECT coalesce(u.full_name || coalesce(', ' || o.short_name, ''), CASE h.actor_kind WHEN 'resident' THEN 'житель' ELSE 'система' END) AS who,
            h.actor_role AS role, h.action
       FROM ticket_history h LEFT JOIN users u ON u.id = h.actor_user_id LEFT JOIN organisations o ON o.id = h.actor_org_id
      WHERE h.ticket_id = $1 ORDER BY h.id DESC LIMIT 1`,
    { bind: [ticketId], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  return rows[0]?.who ?? null;
}

/** Call-backs the resident did not answer (no answer, busy); a call that failed on our side does not count. */
export async function unansweredAttempts(ctx: Ctx, ticketId: number): Promise<number> {
  const rows = await sequelize().query<{ n: number }>(
    "SELECT count(*)::int AS n FROM contact_attempts WHERE ticket_id = $1 AND outcome IN ('no_answer','busy')",
    { bind: [ticketId], type: QueryTypes.SELECT, transaction: ctx.transaction },
  );
  return rows[0]?.n ?? 0;
}
