// Click-to-call: the operator calls a resident back about a ticket. The attempt is logged on
// the ticket as "pending" in this command; the telephony door dials (AMI Originate from the
// operator's phone) and later resolves the attempt with the outcome. Commands never import
// telephony: the start-up file registers the dialer here.
import { randomBytes } from "node:crypto";
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { normalizePhone } from "../lib/phone.ts";
import type { ContactAttempt } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { contactAttemptRecorder } from "./contactAttemptRecorder.ts";
import { loadTicketForUpdate } from "./ticketLoader.ts";

export interface DialRequest {
  /** Stored as the attempt's callRef; the door reports the result under it. */
  ref: string;
  extension: string;
  /** E.164 */
  number: string;
  ticketId: number;
  attemptId: number;
}

export interface Dialer {
  /** Can a call be placed now? */
  ready(): boolean;
  /** Queues the call; rejects when the PBX refused or did not answer. */
  dial(req: DialRequest): Promise<void>;
}

let registered: Dialer | null = null;
/** Registers the dialer; the returned function unregisters it (if it is still the one registered). */
export function registerDialer(d: Dialer): () => void {
  registered = d;
  return () => {
    if (registered === d) registered = null;
  };
}
export function dialer(): Dialer | null {
  return registered;
}

export const telephonyUnavailable = () =>
  new AppError(503, "telephony_unavailable", "Телефония сейчас недоступна: звонок не совершён. Позвоните с телефона и отметьте попытку вручную.");

export async function callDialer({ ctx, ticketId, phone }: { ctx: Ctx; ticketId: number; phone?: string | null }): Promise<{ attempt: ContactAttempt; request: DialRequest }> {
  authorize(ctx.actor, "call:dial", undefined, "Звонить из панели могут операторы ЦОЗ.");
  const actor = ctx.actor;
  if (actor.kind !== "user") throw errors.unauthenticated();
  const ticket = await loadTicketForUpdate(ctx, ticketId);
  const extension = actor.user.extension;
  if (!extension) throw errors.badRequest("У вас не указан внутренний номер телефона: обратитесь к администратору.", "no_extension");
  const number = phone ? normalizePhone(phone) : ticket.contactPhone;
  if (phone && !number) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
  if (!number) throw errors.badRequest("У заявки нет номера телефона для звонка.", "no_phone");
  const d = dialer();
  if (!d?.ready()) throw telephonyUnavailable();
  const ref = `c2c-${randomBytes(8).toString("hex")}`;
  const attempt = await contactAttemptRecorder({ ctx, ticketId, outcome: "pending", phone: number, callRef: ref, note: "звонок из панели" });
  return { attempt, request: { ref, extension, number, ticketId, attemptId: attempt.id } };
}
