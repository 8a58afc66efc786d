// A ticket created from a call (the screen-pop's "create ticket"): ticketCreator does the work;
// this links the ticket to the call in the same transaction and pre-fills what the call tells
// (the caller's phone, the matched resident and their address when there is only one).
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { Call, CallTicket } from "../models/Call.ts";
import { Resident, ResidentApartment } from "../models/Resident.ts";
import type { Ticket } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { ticketCreator, type NewTicketInput } from "./ticketCreator.ts";

export type TicketFromCallInput = Omit<NewTicketInput, "channel" | "categoryId" | "description"> & { categoryId: number; description: string };

export async function ticketFromCallCreator({ ctx, callId, input }: { ctx: Ctx; callId: number; input: TicketFromCallInput }): Promise<Ticket> {
  authorize(ctx.actor, "call:work");
  const t = ctx.transaction;
  const call = await Call.findByPk(callId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!call) throw new AppError(404, "call_not_found", "Звонок не найден.");
  const phone = call.direction === "inbound" ? call.callerNumber : call.calledNumber;
  let residentId = input.residentId ?? null;
  if (!residentId && phone) {
    const matched = await Resident.findAll({ where: { phone, anonymisedAt: null }, transaction: t, limit: 2 });
    if (matched.length === 1) residentId = matched[0]!.id;
  }
  let apartmentId = input.apartmentId ?? null;
  if (residentId && !apartmentId && !input.buildingId && !input.addressText) {
    const homes = await ResidentApartment.findAll({ where: { residentId }, transaction: t, limit: 2 });
    if (homes.length === 1) apartmentId = homes[0]!.apartmentId;
  }
  const ticket = await ticketCreator({
    ctx,
    input: { ...input, channel: "phone", residentId, apartmentId, contactPhone: input.contactPhone ?? phone ?? null },
  });
  await CallTicket.create({ callId: call.id, ticketId: ticket.id, kind: "created", userId: ctx.actor.kind === "user" ? ctx.actor.user.id : null }, { transaction: t });
  return ticket;
}
