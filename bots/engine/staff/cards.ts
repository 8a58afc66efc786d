// What staff see in the chat: their open and overdue tickets, a ticket card with the legal next
// actions as buttons (`s:<ticketId>:<action>:<version>`).
import { Op, type WhereOptions } from "sequelize";
import { userActor, type Actor } from "../../../src/context.ts";
import { Apartment, Building } from "../../../src/models/Building.ts";
import { Category } from "../../../src/models/Category.ts";
import { Organisation } from "../../../src/models/Organisation.ts";
import { Attachment, Ticket } from "../../../src/models/Ticket.ts";
import type { User } from "../../../src/models/User.ts";
import { ticketScope } from "../../../src/policies/ticket.ts";
import { addressOf, localTime, seesPersonalData } from "../../../src/presenters/ticket.ts";
import { formatPhone } from "../../../src/lib/phone.ts";
import { STATUS_LABELS } from "../../../src/workflow/states.ts";
import { nextActions } from "../../../src/workflow/engine.ts";
import type { Choice } from "../types.ts";
import { S, SL } from "./texts.ts";
import type { Ctx } from "../../../src/context.ts";

/** Actions a staff member can take from the chat; the rest stay in the panel. */
export const CHAT_ACTIONS = ["accept", "dispatch_crew", "report", "decline", "assign", "postpone", "extend", "reject", "verify", "return_work"] as const;
export type ChatAction = (typeof CHAT_ACTIONS)[number];

export const staffActor = (u: User): Actor => userActor(u);

export const cardIncludes = [
  { model: Category, as: "category" },
  { model: Building, as: "building" },
  { model: Apartment, as: "apartment" },
  { model: Organisation, as: "uo" },
  { model: Organisation, as: "executorOrg" },
];

export function chatActions(t: Ticket, actor: Actor) {
  return nextActions(t, actor).filter((a) => (CHAT_ACTIONS as readonly string[]).includes(a.action));
}

export function actionButtons(t: Ticket, actor: Actor): Choice[][] {
  return chatActions(t, actor).map((a) => [{ label: a.label, data: `s:${t.id}:${a.action}:${t.version}` }]);
}

export async function ticketCard(ctx: Ctx, t: Ticket, actor: Actor): Promise<{ text: string; choices: Choice[][]; photos: number[] }> {
  const personal = seesPersonalData(actor, t);
  const photoRows = await Attachment.findAll({ where: { ticketId: t.id, kind: "photo" }, order: [["id", "ASC"]], limit: 5, transaction: ctx.transaction });
  const photos = photoRows.length;
  const lines = [
    `Заявка № ${t.number}${t.emergency ? " — АВАРИЙНАЯ" : ""}`,
    `Статус: ${STATUS_LABELS[t.status]}`,
    `Категория: ${t.category?.name ?? ""}`,
    `Адрес: ${t.building ? addressOf(t.building, personal ? t.apartment?.number : null) : (t.addressText ?? "уточняется")}`,
    `Описание: ${t.description}`,
    `Срок: до ${localTime(t.deadlineAt)}${t.deadlineAt < new Date() && t.status !== "closed" ? " — ПРОСРОЧЕНА" : ""}`,
    t.emergency && t.dispatchDeadlineAt && !t.crewDispatchedAt ? `Выезд бригады — до ${localTime(t.dispatchDeadlineAt)}` : null,
    personal && t.contactPhone ? `Контакт: ${t.contactName ?? "житель"}, ${formatPhone(t.contactPhone)}` : null,
    t.executorOrg ? `Исполнитель: ${t.executorOrg.shortName}` : null,
    t.worksDone ? `Выполнено: ${t.worksDone}` : null,
    photos ? `${SL.photos(photos)} — следующими сообщениями.` : null,
  ].filter((l): l is string => l !== null);
  return { text: lines.join("\n"), choices: actionButtons(t, actor), photos: photoRows.map((a) => a.id) };
}

/** Open tickets the staff member works on: assigned to their organisation, or at their УО. */
export async function openTickets(ctx: Ctx, user: User, overdueOnly: boolean): Promise<{ list: Ticket[]; total: number }> {
  const actor = staffActor(user);
  const mine: WhereOptions<Ticket> =
    user.role === "uo"
      ? { [Op.or]: [{ uoId: user.organisationId }, { executorOrgId: user.organisationId }] }
      : { executorOrgId: user.organisationId };
  const where: WhereOptions<Ticket> = {
    [Op.and]: [ticketScope(actor), mine, { status: { [Op.notIn]: ["closed", "pending_confirmation", "awaiting_routing"] } }, ...(overdueOnly ? [{ deadlineAt: { [Op.lt]: new Date() } }] : [])],
  };
  const { rows, count } = await Ticket.findAndCountAll({
    where,
    include: [{ model: Category, as: "category" }, { model: Building, as: "building" }],
    order: [["emergency", "DESC"], ["deadlineAt", "ASC"]],
    limit: 10,
    transaction: ctx.transaction,
  });
  return { list: rows, total: count };
}

export function listReply(list: Ticket[], total: number, overdue: boolean): { text: string; choices: Choice[][] } {
  if (!list.length) return { text: overdue ? S.overdueEmpty : S.myEmpty, choices: [] };
  const head = overdue ? S.overdueList(total) : S.myList(total);
  const lines = list.map(
    (t) => `• № ${t.number}${t.emergency ? " ‼" : ""} — ${t.category?.name ?? ""}, ${t.building ? `${t.building.street}, ${t.building.house}` : "адрес уточняется"}; до ${localTime(t.deadlineAt)}`,
  );
  if (total > list.length) lines.push(S.moreHidden(total - list.length));
  const choices = list.map((t) => [{ label: `${SL.open} № ${t.number}`, data: `s:${t.id}:open:0` }]);
  return { text: [head, ...lines].join("\n"), choices };
}
