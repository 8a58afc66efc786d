// Feedback (§3.4.1): an organisation asks to change what it provided; the agency is told.
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { ChangeRequest } from "../models/ConnectionRequest.ts";
import { Organisation } from "../models/Organisation.ts";
import { authorize } from "../policies/index.ts";
import { cardOf } from "../onboarding/card.ts";
import { notifyOrganisations } from "../onboarding/notify.ts";
import { cardIssues } from "../onboarding/requisites.ts";
import type { ChangeRequestInput } from "../onboarding/schemas.ts";

export async function changeRequestCreator({ ctx, input }: { ctx: Ctx; input: ChangeRequestInput }): Promise<ChangeRequest> {
  authorize(ctx.actor, "changeRequest:create");
  if (ctx.actor.kind !== "user" || !ctx.actor.orgId) throw errors.forbidden();
  const org = await Organisation.findByPk(ctx.actor.orgId, { transaction: ctx.transaction });
  if (!org) throw errors.notFound("organisation");
  // The card as it would be after the change must still be valid.
  const kindChanged = "inn" in input.changes || "ogrn" in input.changes;
  const issues = cardIssues({ ...cardOf(org), ...input.changes }).filter((i) => i.field in input.changes || (kindChanged && (i.field === "ogrn" || i.field === "kpp")));
  if (issues.length) throw errors.validationFailed(issues.map((i) => ({ field: `changes.${i.field}`, message: i.message })));
  const cr = await ChangeRequest.create(
    { organisationId: org.id, requestedByUserId: ctx.actor.user.id, changes: input.changes as Record<string, string>, comment: input.comment ?? null },
    { transaction: ctx.transaction },
  );
  const agencies = await Organisation.findAll({ where: { type: "agency", active: true }, attributes: ["id"], transaction: ctx.transaction });
  if (agencies.length)
    await notifyOrganisations(
      ctx,
      agencies.map((a) => a.id),
      `change-request:${cr.id}:new`,
      `Запрос на изменение данных № ${cr.id}`,
      `«${org.shortName}» просит изменить: ${Object.keys(input.changes).join(", ") || "—"}.${input.comment ? `\nКомментарий: ${input.comment}` : ""}`,
    );
  return cr;
}
