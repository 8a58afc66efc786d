// The steps of a conflict after the notice: answer, resolve, escalate to oversight, decide.
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { Conflict, ConflictEvent, type ConflictStatus, type Negotiator } from "../models/Conflict.ts";
import { Organisation } from "../models/Organisation.ts";
import { authorize, can } from "../policies/index.ts";
import { CONFLICT_STATUS_LABEL, CONFLICT_STEPS, type ConflictAction, type ConflictStep } from "../onboarding/conflictRules.ts";
import { notifyOrganisations } from "../onboarding/notify.ts";

export const conflictNotFound = () => new AppError(404, "conflict_not_found", "Конфликтная ситуация не найдена.");

export async function conflictStepTaker({
  ctx,
  conflictId,
  action,
  text,
  negotiators,
}: {
  ctx: Ctx;
  conflictId: number;
  action: string;
  text?: string;
  negotiators?: Negotiator[];
}) {
  const t = ctx.transaction;
  const c = await Conflict.findByPk(conflictId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!c || !can(ctx.actor, "conflict:view", c)) throw conflictNotFound();
  const step = (CONFLICT_STEPS as Record<string, ConflictStep>)[action];
  if (!step) throw errors.badRequest(`Неизвестное действие «${action}».`, "unknown_action");
  if (!step.from.includes(c.status))
    throw errors.conflict("conflict_step_not_allowed", `Действие недоступно: конфликт в состоянии «${CONFLICT_STATUS_LABEL[c.status as ConflictStatus]}».`);
  authorize(ctx.actor, step.ability, c);
  if (step.text.required && !text?.trim()) throw errors.validationFailed([{ field: step.text.field, message: step.text.message }]);
  const now = new Date();
  const patch: Partial<Conflict> = { status: step.to };
  const a = action as ConflictAction;
  if (a === "answer") Object.assign(patch, { answer: text, respondentNegotiators: negotiators ?? null, answeredAt: now });
  if (a === "resolve") patch.resolvedAt = now;
  if (a === "escalate") Object.assign(patch, { escalationReason: text, escalatedAt: now });
  if (a === "decide") Object.assign(patch, { decision: text, decidedAt: now, decidedByUserId: ctx.actor.kind === "user" ? ctx.actor.user.id : null });
  await c.update(patch, { transaction: t });
  await ConflictEvent.create(
    { conflictId: c.id, action, actorUserId: ctx.actor.kind === "user" ? ctx.actor.user.id : null, actorOrgId: ctx.actor.kind === "user" ? ctx.actor.orgId : null, text: text ?? null },
    { transaction: t },
  );
  const orgIds = [c.notifierOrgId, c.respondentOrgId];
  if (a === "escalate" || a === "decide") {
    const oversight = await Organisation.findAll({ where: { type: "oversight", active: true }, attributes: ["id"], transaction: t });
    orgIds.push(...oversight.map((o) => o.id));
  }
  const extra = [...c.negotiators, ...(c.respondentNegotiators ?? [])].map((n) => n.email);
  await notifyOrganisations(
    ctx,
    orgIds,
    `conflict:${c.id}:${action}`,
    `Конфликтная ситуация № ${c.id}: ${step.label}`,
    `Конфликтная ситуация № ${c.id} («${c.substance.slice(0, 200)}»): ${step.label}.${text ? `\n\n${text}` : ""}\n\nСостояние: ${CONFLICT_STATUS_LABEL[c.status as ConflictStatus]}.`,
    extra,
  );
  return c;
}
