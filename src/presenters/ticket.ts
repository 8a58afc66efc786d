// What leaves the server about a ticket, field by field. Personal data only for those who
// work the ticket; never a model's toJSON().
import { config } from "../config.ts";
import type { Actor } from "../context.ts";
import { formatPhone } from "../lib/phone.ts";
import type { Attachment, ContactAttempt, Ticket, TicketHistory } from "../models/Ticket.ts";
import type { Building } from "../models/Building.ts";
import { STATUS_LABELS } from "../workflow/states.ts";
import { TRANSITIONS, type TicketAction } from "../workflow/transitions.ts";
import type { OfferedAction } from "../workflow/engine.ts";

export function addressOf(b: Pick<Building, "settlement" | "street" | "house" | "buildingPart"> | null | undefined, apartment?: string | null): string {
  if (!b) return "";
  const part = b.buildingPart ? `, корп. ${b.buildingPart}` : "";
  return `${b.settlement}, ${b.street}, д. ${b.house}${part}${apartment ? `, кв. ${apartment}` : ""}`;
}

/** One formatter per time zone: building a zoned DateTime per field was a visible share of a list's CPU. */
const localFormats = new Map<string, Intl.DateTimeFormat>();
const localFormat = (zone: string) => {
  let f = localFormats.get(zone);
  if (!f)
    localFormats.set(zone, (f = new Intl.DateTimeFormat("ru-RU", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })));
  return f;
};

/** "dd.MM.yyyy HH:mm" in the district's time zone. */
export const localTime = (d: Date | null | undefined): string | null => {
  if (!d) return null;
  const p: Record<string, string> = {};
  for (const { type, value } of localFormat(config().district.timezone).formatToParts(d)) p[type] = value;
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
};

/** May this actor see the resident's name and phone on this ticket? */
export function seesPersonalData(actor: Actor, t: Ticket): boolean {
  switch (actor.kind) {
    case "system":
      return true;
    case "resident":
      return t.residentId === actor.resident.id;
    case "public":
      return false;
    case "user":
      if (["admin", "operator", "oversight"].includes(actor.role)) return true;
      if (actor.role === "uo") return t.uoId === actor.orgId || t.executorOrgId === actor.orgId;
      if (actor.role === "contractor" || actor.role === "supplier") return t.executorOrgId === actor.orgId;
      return false;
  }
}

export function presentTicketSummary(t: Ticket, actor: Actor, now = new Date()) {
  const personal = seesPersonalData(actor, t);
  const open = t.status !== "closed";
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    statusLabel: STATUS_LABELS[t.status],
    channel: t.channel,
    emergency: t.emergency,
    category: t.category ? { id: t.category.id, code: t.category.code, name: t.category.name } : { id: t.categoryId },
    address: t.building ? addressOf(t.building, personal ? t.apartment?.number : null) : personal ? t.addressText : null,
    buildingId: t.buildingId,
    uo: t.uo ? { id: t.uo.id, name: t.uo.shortName } : t.uoId ? { id: t.uoId } : null,
    executor: t.executorOrg ? { id: t.executorOrg.id, name: t.executorOrg.shortName } : t.executorOrgId ? { id: t.executorOrgId } : null,
    deadlineAt: t.deadlineAt.toISOString(),
    deadlineLocal: localTime(t.deadlineAt),
    overdue: open && t.deadlineAt < now,
    dispatchOverdue: t.emergency && !t.crewDispatchedAt && !!t.dispatchDeadlineAt && t.dispatchDeadlineAt < now && open,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    version: t.version,
  };
}

export function presentTicket(
  t: Ticket,
  actor: Actor,
  extra: { history?: TicketHistory[]; attachments?: Attachment[]; attempts?: ContactAttempt[]; actions?: OfferedAction[] } = {},
) {
  const personal = seesPersonalData(actor, t);
  return {
    ...presentTicketSummary(t, actor),
    description: t.description,
    apartment: personal && t.apartment ? t.apartment.number : null,
    contact: personal ? { name: t.contactName, phone: t.contactPhone, phoneFormatted: formatPhone(t.contactPhone) } : null,
    residentId: personal ? t.residentId : null,
    executorUser: t.executorUser ? { id: t.executorUser.id, name: t.executorUser.fullName } : null,
    deadlineBasis: t.deadlineBasis,
    dispatchDeadlineAt: t.dispatchDeadlineAt?.toISOString() ?? null,
    crewDispatchedAt: t.crewDispatchedAt?.toISOString() ?? null,
    postponedUntil: t.postponedUntil?.toISOString() ?? null,
    worksDone: t.worksDone,
    closureKind: t.closureKind,
    rating: t.rating,
    ratingComment: personal ? t.ratingComment : null,
    reopenedCount: t.reopenedCount,
    publishable: t.publishable,
    reportedAt: t.reportedAt?.toISOString() ?? null,
    verifiedAt: t.verifiedAt?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
    history: extra.history?.map((h) => presentHistory(h, personal)),
    attachments: extra.attachments?.map(presentAttachment),
    contactAttempts: personal ? extra.attempts?.map(presentAttempt) : undefined,
    actions: extra.actions,
  };
}

const HISTORY_LABELS: Record<string, string> = {
  create: "Заявка зарегистрирована",
  attachment_added: "Приложен файл",
  contact_attempt: "Звонок жителю",
  incident_linked: "Присоединена к инциденту (отключение)",
  ...Object.fromEntries(Object.entries(TRANSITIONS).map(([k, v]) => [k, v.label])),
};

export function historyLabel(action: string): string {
  return HISTORY_LABELS[action as TicketAction] ?? action;
}

export function presentHistory(h: TicketHistory, personal: boolean) {
  const who = h.actorKind === "resident" ? "Житель" : h.actorKind === "system" ? "Система" : (h.actorUser?.fullName ?? "Сотрудник");
  return {
    id: h.id,
    action: h.action,
    label: historyLabel(h.action),
    from: h.fromStatus,
    to: h.toStatus,
    toLabel: STATUS_LABELS[h.toStatus as keyof typeof STATUS_LABELS] ?? h.toStatus,
    actor: { kind: h.actorKind, role: h.actorRole, name: personal || h.actorKind !== "resident" ? who : "Житель" },
    reason: h.reason,
    changes: h.changes,
    at: h.createdAt.toISOString(),
    atLocal: localTime(h.createdAt),
  };
}

export const presentAttachment = (a: Attachment) => ({
  id: a.id,
  kind: a.kind,
  name: a.originalName,
  mime: a.mime,
  size: a.size,
  url: `/api/attachments/${a.id}`,
  createdAt: a.createdAt.toISOString(),
});

export const presentAttempt = (c: ContactAttempt) => ({
  id: c.id,
  outcome: c.outcome,
  phone: c.phone,
  note: c.note,
  at: c.createdAt.toISOString(),
  atLocal: localTime(c.createdAt),
});
