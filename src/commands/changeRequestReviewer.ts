// The agency applies a change request (the organisation's card is updated, before/after kept)
// or refuses it with a reason; the requesting organisation is told either way.
import type { Ctx } from "../context.ts";
import { AppError, errors } from "../errors.ts";
import { ChangeRequest } from "../models/ConnectionRequest.ts";
import { Organisation } from "../models/Organisation.ts";
import { authorize } from "../policies/index.ts";
import { cardOf, organisationPatch } from "../onboarding/card.ts";
import { notifyOrganisations } from "../onboarding/notify.ts";
import { cardIssues, type PartnerCard } from "../onboarding/requisites.ts";

export async function changeRequestReviewer({ ctx, changeRequestId, decision, reason }: { ctx: Ctx; changeRequestId: number; decision: "apply" | "refuse"; reason?: string }) {
  authorize(ctx.actor, "changeRequest:review");
  const t = ctx.transaction;
  const cr = await ChangeRequest.findByPk(changeRequestId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!cr) throw new AppError(404, "change_request_not_found", "Запрос на изменение не найден.");
  if (cr.status !== "pending") throw errors.conflict("change_request_already_reviewed", `Запрос № ${cr.id} уже рассмотрен.`);
  const org = await Organisation.findByPk(cr.organisationId, { transaction: t, lock: t.LOCK.UPDATE });
  if (!org) throw errors.notFound("organisation");
  const reviewer = ctx.actor.kind === "user" ? ctx.actor.user.id : null;
  if (decision === "refuse") {
    if (!reason) throw errors.validationFailed([{ field: "reason", message: "укажите причину отказа" }]);
    await cr.update({ status: "refused", reviewReason: reason, reviewedByUserId: reviewer, reviewedAt: new Date() }, { transaction: t });
  } else {
    const before = cardOf(org);
    const after = { ...before, ...cr.changes } as PartnerCard;
    const issues = cardIssues(after).filter((i) => i.field in cr.changes);
    if (issues.length) throw errors.validationFailed(issues.map((i) => ({ field: `changes.${i.field}`, message: i.message })));
    await org.update(organisationPatch(org, cr.changes), { transaction: t });
    const changedBefore = Object.fromEntries(Object.keys(cr.changes).map((k) => [k, (before as Record<string, unknown>)[k] ?? null]));
    await cr.update(
      { status: "applied", before: changedBefore, after: { ...cr.changes }, reviewReason: reason ?? null, reviewedByUserId: reviewer, reviewedAt: new Date() },
      { transaction: t },
    );
  }
  const applied = decision === "apply";
  await notifyOrganisations(
    ctx,
    [org.id],
    `change-request:${cr.id}:${decision}`,
    `Запрос на изменение данных № ${cr.id} ${applied ? "выполнен" : "отклонён"}`,
    applied ? `Изменения внесены: ${Object.keys(cr.changes).join(", ") || "по комментарию"}.` : `Причина отказа: ${reason}`,
  );
  return cr;
}
