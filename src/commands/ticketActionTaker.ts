// Takes one workflow action on a ticket on behalf of the actor (panel, API, bots alike).
// Resolves and checks the references the action names, then hands over to the engine.
import { config } from "../config.ts";
import type { Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { Category } from "../models/Category.ts";
import { Organisation, OrganisationLink } from "../models/Organisation.ts";
import { Attachment, type Ticket } from "../models/Ticket.ts";
import { User } from "../models/User.ts";
import { Building } from "../models/Building.ts";
import { applyAction } from "../workflow/engine.ts";
import type { ActionInput } from "../workflow/transitions.ts";
import { deadlinesFor } from "./deadlineCalculator.ts";
import { lastChangedBy, loadTicketForUpdate, unansweredAttempts } from "./ticketLoader.ts";

const PROVIDER_TYPES = ["contractor", "resource_supplier"];

async function checkExecutor(ctx: Ctx, ticket: Ticket, input: ActionInput): Promise<void> {
  const t = ctx.transaction;
  const org = await Organisation.findByPk(input.executorOrgId!, { transaction: t });
  if (!org || !org.active) throw errors.notFound("organisation");
  const own = org.id === ticket.uoId;
  if (!own) {
    const linked = PROVIDER_TYPES.includes(org.type) && (await OrganisationLink.findOne({ where: { uoId: ticket.uoId!, providerId: org.id }, transaction: t }));
    if (!linked) throw errors.validationFailed([{ field: "executorOrgId", message: "организация не обслуживает эту управляющую организацию" }]);
  }
  if (own && !input.executorUserId)
    throw errors.validationFailed([{ field: "executorUserId", message: "укажите сотрудника, если заявка выполняется своими силами" }]);
  if (input.executorUserId) {
    const u = await User.findByPk(input.executorUserId, { transaction: t });
    if (!u || !u.active || u.organisationId !== org.id)
      throw errors.validationFailed([{ field: "executorUserId", message: "сотрудник не работает в выбранной организации" }]);
  }
}

async function resolve(ctx: Ctx, ticket: Ticket, action: string, input: ActionInput): Promise<ActionInput> {
  const t = ctx.transaction;
  const out = { ...input };
  switch (action) {
    case "route": {
      if (!out.uoId && ticket.buildingId) out.uoId = (await Building.findByPk(ticket.buildingId, { transaction: t }))?.uoId ?? undefined;
      if (out.uoId) {
        const uo = await Organisation.findByPk(out.uoId, { transaction: t });
        if (!uo || uo.type !== "management_company" || !uo.active)
          throw errors.validationFailed([{ field: "uoId", message: "это не действующая управляющая организация" }]);
      }
      break;
    }
    case "assign":
    case "reassign":
      if (out.executorOrgId) await checkExecutor(ctx, ticket, out);
      break;
    case "change_type": {
      if (!out.categoryId) break;
      const c = await Category.findByPk(out.categoryId, { transaction: t });
      if (!c || !c.active) throw errors.notFound("category");
      if (c.id === ticket.categoryId) throw errors.validationFailed([{ field: "categoryId", message: "заявка уже этого типа" }]);
      const emergency = c.emergency || ticket.emergency;
      const d = await deadlinesFor(ctx, c, ticket.createdAt, emergency);
      Object.assign(out, { deadlineAt: d.deadlineAt, deadlineBasis: d.deadlineBasis, dispatchDeadlineAt: d.dispatchDeadlineAt, emergency });
      break;
    }
    case "report": {
      if (!out.workOrderAttachmentId) break;
      const a = await Attachment.findByPk(out.workOrderAttachmentId, { transaction: t });
      if (!a || a.ticketId !== ticket.id || a.kind !== "work_order")
        throw errors.validationFailed([{ field: "workOrderAttachmentId", message: "приложите заказ-наряд к этой заявке" }]);
      break;
    }
  }
  return out;
}

export interface TakeActionProps {
  ctx: Ctx;
  ticketId: number;
  action: string;
  input: ActionInput;
  expectedVersion?: number;
}

export async function ticketActionTaker({ ctx, ticketId, action, input, expectedVersion }: TakeActionProps): Promise<Ticket> {
  const ticket = await loadTicketForUpdate(ctx, ticketId);
  const resolved = await resolve(ctx, ticket, action, input);
  return applyAction(ctx, ticket, action, resolved, {
    expectedVersion,
    facts: {
      now: new Date(),
      unansweredAttempts: action === "close_unreachable" ? await unansweredAttempts(ctx, ticket.id) : 0,
      unreachableMinAttempts: config().workflow.unreachableMinAttempts,
    },
    lastChangedBy: () => lastChangedBy(ctx, ticket.id),
  });
}
