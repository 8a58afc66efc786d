// Links an existing ticket to a call (the caller rang about a ticket already registered).
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { Call, CallTicket } from "../models/Call.ts";
import { authorize } from "../policies/index.ts";
import { loadTicketForUpdate } from "./ticketLoader.ts";

export async function callTicketLinker({ ctx, callId, ticketId }: { ctx: Ctx; callId: number; ticketId: number }): Promise<CallTicket> {
  authorize(ctx.actor, "call:work");
  const call = await Call.findByPk(callId, { transaction: ctx.transaction });
  if (!call) throw new AppError(404, "call_not_found", "Звонок не найден.");
  const ticket = await loadTicketForUpdate(ctx, ticketId);
  const existing = await CallTicket.findOne({ where: { callId, ticketId: ticket.id }, transaction: ctx.transaction });
  if (existing) throw errors.conflict("already_linked", "Заявка уже связана с этим звонком.");
  return CallTicket.create({ callId, ticketId: ticket.id, kind: "linked", userId: ctx.actor.kind === "user" ? ctx.actor.user.id : null }, { transaction: ctx.transaction });
}
