// What people read: Russian texts and buttons of every notification, built from plain data.
import { localTime } from "../presenters/ticket.ts";
import { STATUS_LABELS, type TicketStatus } from "../workflow/states.ts";
import { DECLINE_REASON_LABELS, type DeclineReason } from "../workflow/transitions.ts";
import type { Resource } from "../models/Category.ts";
import type { MessageButton } from "./channels.ts";

export const RESOURCE_LABELS: Record<Resource, string> = {
  cold_water: "холодное водоснабжение",
  hot_water: "горячее водоснабжение",
  heating: "отопление",
  electricity: "электроснабжение",
  gas: "газоснабжение",
  sewerage: "водоотведение",
};
export const OUTAGE_KIND_LABELS = { planned: "плановое", emergency: "аварийное" } as const;

const CLOSURE_TEXTS: Record<string, string> = {
  resident_confirmed: "закрыта после вашего подтверждения",
  operator_confirmed: "закрыта после подтверждения по телефону",
  unreachable: "закрыта: до вас не удалось дозвониться",
  no_answer: "закрыта: подтверждение выполнения не получено",
  declined: "не может быть зарегистрирована",
  withdrawn: "отозвана",
};

export interface TicketFacts {
  id: number;
  number: string;
  category: string;
  address: string;
  deadlineAt: Date;
  status: TicketStatus;
  version: number;
  emergency: boolean;
  worksDone: string | null;
  closureKind: string | null;
  postponedUntil: Date | null;
  executorName: string | null;
  rating: number | null;
  description?: string;
  /** The resident's name and phone: only in messages to the assigned executor. */
  contact?: string | null;
  photos?: number;
}

export interface OutageFacts {
  id: number;
  resource: Resource;
  kind: "planned" | "emergency";
  startsAt: Date;
  expectedEndAt: Date;
  endedAt: Date | null;
  reason: string;
  orgName: string;
  addresses: string[];
}

const head = (t: TicketFacts) => `Заявка № ${t.number} («${t.category}»)`;

export const residentButtons = {
  confirmation: (id: number): MessageButton[][] => [
    [
      { label: "Да, выполнено", data: `t:${id}:confirm` },
      { label: "Нет, не выполнено", data: `t:${id}:dispute` },
    ],
  ],
  rating: (id: number): MessageButton[][] => [[1, 2, 3, 4, 5].map((n) => ({ label: "★".repeat(n), data: `t:${id}:rate:${n}` }))],
};

/** Buttons for staff in a messenger; the version makes a stale press answer "already done". */
export function staffButtons(t: TicketFacts, actions: Array<{ action: string; label: string }>): MessageButton[][] {
  return actions.map((a) => [{ label: a.label, data: `s:${t.id}:${a.action}:${t.version}` }]);
}

/** The resident's message about one change of their ticket (null: nothing worth a message). */
export function residentTicketText(action: string, t: TicketFacts, reason: string | null, to: TicketStatus): string | null {
  const why = reason ? `\nПричина: ${reason}` : "";
  switch (action) {
    case "create":
      return `${head(t)} зарегистрирована.\nАдрес: ${t.address || "уточняется"}.\nСрок выполнения — до ${localTime(t.deadlineAt)}.`;
    case "assign":
    case "reassign":
      return `${head(t)}: назначен исполнитель${t.executorName ? ` — ${t.executorName}` : ""}.`;
    case "postpone":
      return `${head(t)} отложена до ${localTime(t.postponedUntil)}.${why}\nНовый срок выполнения — до ${localTime(t.deadlineAt)}.`;
    case "extend":
      return `${head(t)}: срок выполнения продлён до ${localTime(t.deadlineAt)}.${why}`;
    case "verify":
    case "resolve_incident":
      return `${head(t)}: работы выполнены${t.worksDone ? ` (${t.worksDone})` : ""}.\nПодтвердите, пожалуйста: проблема устранена?`;
    case "dispute":
      return `${head(t)} возвращена в работу по вашему ответу.`;
    case "confirm":
    case "close_no_answer":
    case "close_unreachable":
    case "decline_intake":
    case "withdraw":
      return `${head(t)} ${CLOSURE_TEXTS[t.closureKind ?? ""] ?? "закрыта"}.${why}${action === "confirm" && !t.rating ? "\nОцените, пожалуйста, качество работ:" : ""}`;
    case "attachment_added":
    case "contact_attempt":
    case "set_publishable":
    case "rate":
    case "incident_linked":
      return null;
    default:
      return `${head(t)}: ${STATUS_LABELS[to].toLowerCase()}.${why}`;
  }
}

export function incidentLinkedText(t: Pick<TicketFacts, "number">, o: OutageFacts): string {
  return (
    `Заявка № ${t.number} принята. Об отключении уже известно: ${RESOURCE_LABELS[o.resource]} — ` +
    `${OUTAGE_KIND_LABELS[o.kind]} отключение (${o.orgName}).\nПричина: ${o.reason}.\n` +
    `Ожидаемое восстановление — ${localTime(o.expectedEndAt)}.\nВаша заявка присоединена к общему инциденту; мы сообщим, когда подача восстановится.`
  );
}

export type OutageMoment = "registered" | "updated" | "starting" | "restored" | "cancelled";

export function outageText(moment: OutageMoment, o: OutageFacts): { subject: string; text: string } {
  const what = `${RESOURCE_LABELS[o.resource]}`;
  const where = o.addresses.length > 3 ? `${o.addresses.slice(0, 3).join("; ")} и ещё ${o.addresses.length - 3}` : o.addresses.join("; ");
  const when = `с ${localTime(o.startsAt)} до ${localTime(o.expectedEndAt)} (ожидаемо)`;
  switch (moment) {
    case "registered":
      return {
        subject: `Отключение: ${what}`,
        text: `${o.kind === "planned" ? "Плановое" : "Аварийное"} отключение: ${what}, ${when}.\nАдрес: ${where}.\nПричина: ${o.reason}.\nСообщил(а): ${o.orgName}.`,
      };
    case "updated":
      return { subject: `Изменены сроки отключения: ${what}`, text: `Изменены сведения об отключении: ${what}, ${when}.\nАдрес: ${where}.\nПричина: ${o.reason}.` };
    case "starting":
      return { subject: `Скоро отключение: ${what}`, text: `Напоминаем: ${what} будет отключено ${when}.\nАдрес: ${where}.\nПричина: ${o.reason}.` };
    case "restored":
      return { subject: `Восстановлено: ${what}`, text: `${what[0]!.toUpperCase()}${what.slice(1)} восстановлено ${localTime(o.endedAt)}.\nАдрес: ${where}.` };
    case "cancelled":
      return { subject: `Отключение отменено: ${what}`, text: `Отключение (${what}, ${when}) отменено.\nАдрес: ${where}.` };
  }
}

export function staffTicketText(kind: string, t: TicketFacts, extra: { reason?: string | null; declineReason?: string | null; actor?: string } = {}): string {
  const why = extra.reason ? `\nПричина: ${extra.reason}` : "";
  const by = extra.actor ? ` (${extra.actor})` : "";
  const base = `${head(t)}${t.emergency ? " [АВАРИЙНАЯ]" : ""}, ${t.address || "адрес уточняется"}`;
  switch (kind) {
    case "new_ticket":
      return `Новая заявка: ${base}.\nСрок — до ${localTime(t.deadlineAt)}.`;
    case "declined": {
      const dr = extra.declineReason ? DECLINE_REASON_LABELS[extra.declineReason as DeclineReason] ?? extra.declineReason : "";
      return `Исполнитель отказался от заявки: ${base}.${dr ? `\n${dr}.` : ""}${why}${by}`;
    }
    case "reported":
      return `Исполнитель сообщил о выполнении: ${base}.\nВыполнено: ${t.worksDone ?? "—"}.\nПроверьте и подтвердите выполнение.`;
    case "disputed":
      return `Житель не подтвердил выполнение: ${base}.${why}`;
    case "withdrawn":
      return `Житель отозвал заявку: ${base}.${why}`;
    case "rejected":
      return `УО отклонила заявку (не зона ответственности): ${base}.${why}${by}\nНаправьте её в другую организацию или объясните жителю.`;
    case "assigned":
      return (
        `Вам назначена заявка: ${base}.\nСрок — до ${localTime(t.deadlineAt)}.` +
        (t.description ? `\nОписание: ${t.description}` : "") +
        (t.contact ? `\nКонтакт: ${t.contact}` : "") +
        (t.photos ? `\nФото жителя: ${t.photos} (кнопка «Открыть заявку»).` : "") +
        why
      );
    case "unassigned":
      return `Заявка передана другому исполнителю: ${base}.${why}`;
    case "returned":
      return `Работы по заявке не приняты, заявка возвращена: ${base}.${why}`;
    case "deadline_soon":
      return `Срок заявки скоро истекает (до ${localTime(t.deadlineAt)}): ${base}.\nСтатус: ${STATUS_LABELS[t.status]}.`;
    case "deadline_passed":
      return `Срок заявки истёк ${localTime(t.deadlineAt)}: ${base}.\nСтатус: ${STATUS_LABELS[t.status]}.`;
    case "no_crew":
      return `Аварийная заявка без выезда бригады более 30 минут: ${base}.\nСтатус: ${STATUS_LABELS[t.status]}. Организуйте выезд немедленно.`;
    default:
      return `${base}: ${STATUS_LABELS[t.status]}.`;
  }
}
