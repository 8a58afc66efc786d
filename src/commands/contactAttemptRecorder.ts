// Logs a call-back to the resident about a ticket (manual, or from click-to-call).
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { normalizePhone } from "../lib/phone.ts";
import { ContactAttempt, type ContactOutcome } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { recordChange } from "../workflow/engine.ts";
import { loadTicketForUpdate } from "./ticketLoader.ts";

const OUTCOME_LABELS: Record<ContactOutcome, string> = {
  pending: "звонок начат",
  answered: "житель ответил",
  no_answer: "не ответил",
  busy: "занято",
  failed: "вызов не состоялся",
};

export async function contactAttemptRecorder({
  ctx,
  ticketId,
  outcome,
  note,
  phone,
  callRef,
}: {
  ctx: Ctx;
  ticketId: number;
  outcome: ContactOutcome;
  note?: string | null;
  phone?: string | null;
  callRef?: string | null;
}): Promise<ContactAttempt> {
  const ticket = await loadTicketForUpdate(ctx, ticketId);
  authorize(ctx.actor, "ticket:contact_attempt", ticket);
  const number = phone ? normalizePhone(phone) : ticket.contactPhone;
  if (phone && !number) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
  const attempt = await ContactAttempt.create(
    {
      ticketId,
      userId: ctx.actor.kind === "user" ? ctx.actor.user.id : null,
      phone: number,
      outcome,
      note: note ?? null,
      callRef: callRef ?? null,
    },
    { transaction: ctx.transaction },
  );
  if (outcome !== "pending") {
    await recordChange(ctx, ticket, {
      action: "contact_attempt",
      fromStatus: ticket.status,
      toStatus: ticket.status,
      reason: note ?? null,
      changes: { contactAttempt: { from: null, to: OUTCOME_LABELS[outcome] } },
    });
  }
  return attempt;
}

/** Sets the outcome of an attempt logged as pending (click-to-call learns it later). */
export async function contactAttemptResolver({ ctx, attemptId, outcome }: { ctx: Ctx; attemptId: number; outcome: Exclude<ContactOutcome, "pending"> }) {
  const attempt = await ContactAttempt.findByPk(attemptId, { transaction: ctx.transaction, lock: ctx.transaction.LOCK.UPDATE });
  if (!attempt) throw errors.notFound("attempt", "contact_attempt_not_found");
  if (attempt.outcome !== "pending") return attempt;
  const ticket = await loadTicketForUpdate(ctx, attempt.ticketId);
  attempt.outcome = outcome;
  await attempt.save({ transaction: ctx.transaction });
  await recordChange(ctx, ticket, {
    action: "contact_attempt",
    fromStatus: ticket.status,
    toStatus: ticket.status,
    changes: { contactAttempt: { from: OUTCOME_LABELS.pending, to: OUTCOME_LABELS[outcome] } },
  });
  return attempt;
}
