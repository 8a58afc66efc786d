// A participant notifies another of a conflict (§5.2); a warning when later than three working days.
import { DateTime } from "luxon";
import { config } from "../config.ts";
import type { Ctx } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { loadCalendar } from "../deadlines/calendar.ts";
import { errors } from "../errors.ts";
import { Conflict, ConflictEvent, type Negotiator } from "../models/Conflict.ts";
import { Organisation } from "../models/Organisation.ts";
import { Ticket } from "../models/Ticket.ts";
import { authorize } from "../policies/index.ts";
import { canViewTicket } from "../policies/ticket.ts";
import { NOTICE_WORKING_DAYS, workingDaysSince } from "../onboarding/conflictRules.ts";
import { notifyOrganisations } from "../onboarding/notify.ts";

export interface ConflictNoticeInput {
  respondentOrgId: number;
  ticketId?: number;
  substance: string;
  circumstances: string;
  aroseOn: string;
  negotiators: Negotiator[];
}

const negotiatorsText = (list: Negotiator[]) =>
  list.map((n) => `${n.fullName}, ${n.position}; тел. ${n.phones.join(", ")}${n.fax ? `; факс ${n.fax}` : ""}; e-mail ${n.email}`).join("\n");

export async function conflictNotifier({ ctx, input }: { ctx: Ctx; input: ConflictNoticeInput }) {
  authorize(ctx.actor, "conflict:file");
  if (ctx.actor.kind !== "user" || !ctx.actor.orgId) throw errors.forbidden();
  const t = ctx.transaction;
  const today = DateTime.now().setZone(config().district.timezone).toISODate()!;
  if (input.aroseOn > today) throw errors.validationFailed([{ field: "aroseOn", message: "дата возникновения не может быть в будущем" }]);
  if (input.respondentOrgId === ctx.actor.orgId) throw errors.validationFailed([{ field: "respondentOrgId", message: "вторая сторона — другая организация" }]);
  const respondent = await Organisation.findByPk(input.respondentOrgId, { transaction: t });
  if (!respondent || !respondent.active) throw errors.validationFailed([{ field: "respondentOrgId", message: "организация не найдена" }]);
  if (input.ticketId) {
    const ticket = await Ticket.findByPk(input.ticketId, { transaction: t });
    if (!ticket || !canViewTicket(ctx.actor, ticket)) throw errors.notFound("ticket");
  }
  const cal = await loadCalendar(sequelize(), false, t);
  const days = workingDaysSince(input.aroseOn, today, cal);
  const late = Math.max(0, days - NOTICE_WORKING_DAYS);
  const c = await Conflict.create(
    {
      notifierOrgId: ctx.actor.orgId,
      respondentOrgId: respondent.id,
      filedByUserId: ctx.actor.user.id,
      ticketId: input.ticketId ?? null,
      substance: input.substance,
      circumstances: input.circumstances,
      aroseOn: input.aroseOn,
      negotiators: input.negotiators,
      workingDaysLate: late,
    },
    { transaction: t },
  );
  await ConflictEvent.create({ conflictId: c.id, action: "notify", actorUserId: ctx.actor.user.id, actorOrgId: ctx.actor.orgId, text: input.substance }, { transaction: t });
  const warning = late
    ? `Уведомление направлено позже срока: регламент (п. 5.2) требует не позднее трёх рабочих дней с момента возникновения конфликтной ситуации, прошло рабочих дней: ${days}.`
    : null;
  await notifyOrganisations(
    ctx,
    [respondent.id, ctx.actor.orgId],
    `conflict:${c.id}:notify`,
    `Уведомление о конфликтной ситуации № ${c.id}`,
    `${ctx.actor.orgName ?? "Участник"} уведомляет «${respondent.shortName}» о конфликтной ситуации.\n\nСуть: ${input.substance}\n\nОбстоятельства: ${input.circumstances}\n\nВозникла: ${input.aroseOn}${warning ? `\n\n${warning}` : ""}\n\nУполномоченные на переговоры:\n${negotiatorsText(input.negotiators)}`,
  );
  return { conflict: c, warning };
}
