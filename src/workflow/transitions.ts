// The ticket workflow as one typed table: the only way a ticket's state changes.
// Each action: the states it starts from, the state it leads to, the roles that may take it,
// the fields it requires, an optional guard, and the field changes it makes.
import type { ActorRole } from "../context.ts";
import type { ClosureKind, Ticket } from "../models/Ticket.ts";
import type { TicketStatus } from "./states.ts";

export const DECLINE_REASONS = ["fault_not_confirmed", "not_our_zone", "other"] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];
export const DECLINE_REASON_LABELS: Record<DeclineReason, string> = {
  fault_not_confirmed: "Неисправность не подтвердилась",
  not_our_zone: "Не зона ответственности организации",
  other: "Другая причина",
};

/** Input of an action after the command resolved and checked references. */
export interface ActionInput {
  reason?: string;
  comment?: string;
  until?: Date; // postpone
  deadlineAt?: Date; // extend, change_type (recomputed by the command)
  deadlineBasis?: string;
  dispatchDeadlineAt?: Date | null;
  categoryId?: number; // change_type
  emergency?: boolean; // change_type
  uoId?: number; // route
  executorOrgId?: number; // assign, reassign
  executorUserId?: number | null;
  worksDone?: string; // report
  workOrderAttachmentId?: number; // report
  declineReason?: DeclineReason; // decline
  rating?: number; // confirm, rate
  publishable?: boolean; // set_publishable
}

export type InputField = keyof ActionInput;

/** Facts a guard needs that are not columns of the ticket (computed by the command). */
export interface GuardFacts {
  unansweredAttempts: number;
  unreachableMinAttempts: number;
  now: Date;
}

export type TicketView = Pick<
  Ticket,
  "status" | "emergency" | "executorOrgId" | "contactPhone" | "deadlineAt" | "reopenedCount" | "crewDispatchedAt" | "postponedUntil" | "rating"
>;

type Patch = Partial<
  Pick<
    Ticket,
    | "uoId"
    | "executorOrgId"
    | "executorUserId"
    | "deadlineAt"
    | "deadlineBasis"
    | "dispatchDeadlineAt"
    | "crewDispatchedAt"
    | "postponedUntil"
    | "worksDone"
    | "closureKind"
    | "rating"
    | "ratingComment"
    | "reopenedCount"
    | "publishable"
    | "categoryId"
    | "emergency"
    | "reportedAt"
    | "verifiedAt"
    | "closedAt"
  >
>;

export interface TransitionDef {
  label: string; // the button, in Russian
  from: readonly TicketStatus[];
  /** A fixed next state, or a choice among declared targets made from the ticket. */
  to: TicketStatus | { targets: readonly TicketStatus[]; pick: (t: TicketView) => TicketStatus };
  roles: readonly ActorRole[];
  /** Which relation to the ticket the actor needs (checked by the ticket policy). */
  relation: "call_centre" | "managing_uo" | "executor" | "own_resident" | "any_staff" | "system";
  requires: readonly InputField[];
  optional?: readonly InputField[];
  guard?: (t: TicketView, input: ActionInput, facts: GuardFacts) => { id: string; message: string } | null;
  effect?: (t: TicketView, input: ActionInput, now: Date) => Patch;
}

const closedAs = (kind: ClosureKind) => (_t: TicketView, _i: ActionInput, now: Date): Patch => ({ closureKind: kind, closedAt: now });
const sameState = { targets: [] as TicketStatus[], pick: (t: TicketView) => t.status };
const EXECUTOR_ROLES = ["contractor", "supplier", "uo"] as const;
const IN_WORK: TicketStatus[] = ["routed", "assigned", "accepted", "crew_dispatched"];

export const TRANSITIONS = {
  confirm_intake: {
    label: "Подтвердить заявку",
    from: ["pending_confirmation"],
    to: "awaiting_routing",
    roles: ["operator"],
    relation: "call_centre",
    requires: [],
  },
  route: {
    label: "Направить в УО",
    from: ["awaiting_routing"],
    to: "routed",
    roles: ["operator", "system"],
    relation: "call_centre",
    requires: ["uoId"],
    effect: (_t, i) => ({ uoId: i.uoId! }),
  },
  decline_intake: {
    label: "Отказать в регистрации (с объяснением)",
    from: ["pending_confirmation", "awaiting_routing"],
    to: "closed",
    roles: ["operator"],
    relation: "call_centre",
    requires: ["reason"],
    effect: closedAs("declined"),
  },
  withdraw: {
    label: "Отозвать заявку",
    from: ["pending_confirmation", "awaiting_routing", "routed", "assigned"],
    to: "closed",
    roles: ["resident", "operator"],
    relation: "own_resident",
    requires: ["reason"],
    effect: closedAs("withdrawn"),
  },
  assign: {
    label: "Назначить исполнителя",
    from: ["routed"],
    to: "assigned",
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["executorOrgId"],
    optional: ["executorUserId", "comment"],
    effect: (_t, i) => ({ executorOrgId: i.executorOrgId!, executorUserId: i.executorUserId ?? null }),
  },
  reassign: {
    label: "Переназначить",
    from: ["assigned", "accepted", "crew_dispatched"],
    to: "assigned",
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["executorOrgId", "reason"],
    optional: ["executorUserId"],
    effect: (_t, i) => ({ executorOrgId: i.executorOrgId!, executorUserId: i.executorUserId ?? null }),
  },
  postpone: {
    label: "Отложить",
    from: ["routed", "assigned", "accepted"],
    to: "postponed",
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["until", "reason"],
    guard: (_t, i, f) =>
      i.until! <= f.now ? { id: "postpone_date_in_past", message: "Дата, до которой откладывается заявка, должна быть в будущем." } : null,
    // The deadline moves by the time the ticket sleeps.
    effect: (t, i, now) => ({
      postponedUntil: i.until!,
      deadlineAt: new Date(Math.max(t.deadlineAt.getTime(), now.getTime()) + (i.until!.getTime() - now.getTime())),
    }),
  },
  resume: {
    label: "Возобновить",
    from: ["postponed"],
    to: { targets: ["routed", "assigned"], pick: (t) => (t.executorOrgId ? "assigned" : "routed") },
    roles: ["uo", "system"],
    relation: "managing_uo",
    requires: [],
    effect: () => ({ postponedUntil: null }),
  },
  extend: {
    label: "Продлить срок",
    from: [...IN_WORK, "postponed"],
    to: sameState,
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["deadlineAt", "reason"],
    guard: (t, i) =>
      i.deadlineAt! <= t.deadlineAt ? { id: "deadline_not_later", message: "Новый срок должен быть позже текущего." } : null,
    effect: (_t, i) => ({ deadlineAt: i.deadlineAt! }),
  },
  change_type: {
    label: "Изменить тип заявки",
    from: [...IN_WORK, "postponed"],
    to: sameState,
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["categoryId", "reason"],
    effect: (t, i) => ({
      categoryId: i.categoryId!,
      deadlineAt: i.deadlineAt!,
      deadlineBasis: i.deadlineBasis!,
      emergency: i.emergency ?? t.emergency,
      dispatchDeadlineAt: i.dispatchDeadlineAt ?? null,
    }),
  },
  reject: {
    label: "Отклонить (не зона ответственности)",
    from: ["routed", "assigned"],
    to: "awaiting_routing",
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["reason"],
    effect: () => ({ uoId: null, executorOrgId: null, executorUserId: null }),
  },
  accept: {
    label: "Принять в работу",
    from: ["assigned"],
    to: "accepted",
    roles: EXECUTOR_ROLES,
    relation: "executor",
    requires: [],
  },
  dispatch_crew: {
    label: "Бригада выехала",
    from: ["assigned", "accepted"],
    to: "crew_dispatched",
    roles: EXECUTOR_ROLES,
    relation: "executor",
    requires: [],
    guard: (t) => (t.emergency ? null : { id: "not_emergency", message: "Выезд аварийной бригады отмечается только по аварийным заявкам." }),
    effect: (_t, _i, now) => ({ crewDispatchedAt: now }),
  },
  decline: {
    label: "Не могу выполнить",
    from: ["assigned", "accepted"],
    to: "routed",
    roles: ["contractor", "supplier"],
    relation: "executor",
    requires: ["declineReason", "reason"],
    effect: () => ({ executorOrgId: null, executorUserId: null }),
  },
  report: {
    label: "Выполнено",
    from: ["accepted", "crew_dispatched"],
    to: "reported",
    roles: EXECUTOR_ROLES,
    relation: "executor",
    requires: ["worksDone", "workOrderAttachmentId"],
    effect: (_t, i, now) => ({ worksDone: i.worksDone!, reportedAt: now }),
  },
  return_work: {
    label: "Вернуть исполнителю",
    from: ["reported"],
    to: "accepted",
    roles: ["uo"],
    relation: "managing_uo",
    requires: ["reason"],
    effect: () => ({ reportedAt: null }),
  },
  verify: {
    label: "Подтвердить выполнение",
    from: ["reported"],
    to: "verified",
    roles: ["uo"],
    relation: "managing_uo",
    requires: [],
    effect: (_t, _i, now) => ({ verifiedAt: now }),
  },
  confirm: {
    label: "Подтвердить выполнение (житель согласен)",
    from: ["verified"],
    to: "closed",
    roles: ["resident", "operator"],
    relation: "own_resident",
    requires: [],
    optional: ["rating", "comment"],
    effect: (t, i, now) => ({
      closureKind: "resident_confirmed",
      closedAt: now,
      rating: i.rating ?? t.rating,
      ratingComment: i.comment ?? null,
    }),
  },
  dispute: {
    label: "Не выполнено",
    from: ["verified"],
    to: "routed",
    roles: ["resident", "operator"],
    relation: "own_resident",
    requires: ["reason"],
    effect: (t) => ({ reopenedCount: t.reopenedCount + 1, verifiedAt: null, reportedAt: null, executorOrgId: null, executorUserId: null }),
  },
  close_unreachable: {
    label: "Закрыть: житель недоступен",
    from: ["pending_confirmation", "verified"],
    to: "closed",
    roles: ["operator"],
    relation: "call_centre",
    requires: [],
    guard: (t, _i, f) =>
      !t.contactPhone || f.unansweredAttempts >= f.unreachableMinAttempts
        ? null
        : {
            id: "resident_reachable",
            message: `Закрыть как «житель недоступен» можно, если телефон не указан или житель не ответил более трёх раз (сейчас безответных звонков: ${f.unansweredAttempts}).`,
          },
    effect: closedAs("unreachable"),
  },
  close_no_answer: {
    label: "Закрыть: житель не ответил на запрос подтверждения",
    from: ["verified"],
    to: "closed",
    roles: ["system"],
    relation: "system",
    requires: [],
    effect: closedAs("no_answer"),
  },
  // A mass incident (outage) was resolved: each child ticket waits for its resident's confirmation.
  resolve_incident: {
    label: "Ресурс восстановлен (массовый инцидент)",
    from: ["awaiting_routing", "routed", "assigned", "accepted", "crew_dispatched", "postponed", "reported"],
    to: "verified",
    roles: ["system"],
    relation: "system",
    requires: ["reason"],
    effect: (_t, i, now) => ({ worksDone: i.reason!, reportedAt: now, verifiedAt: now, postponedUntil: null }),
  },
  rate: {
    label: "Оценить выполнение",
    from: ["closed"],
    to: sameState,
    roles: ["resident"],
    relation: "own_resident",
    requires: ["rating"],
    optional: ["comment"],
    effect: (_t, i) => ({ rating: i.rating!, ratingComment: i.comment ?? null }),
  },
  set_publishable: {
    label: "Разрешить публикацию описания",
    from: ["pending_confirmation", "awaiting_routing", "routed", "assigned", "accepted", "crew_dispatched", "postponed", "reported", "verified", "closed"],
    to: sameState,
    roles: ["operator", "uo", "agency"],
    relation: "any_staff",
    requires: ["publishable"],
    effect: (_t, i) => ({ publishable: i.publishable! }),
  },
} satisfies Record<string, TransitionDef>;

export type TicketAction = keyof typeof TRANSITIONS;
export const TICKET_ACTIONS = Object.keys(TRANSITIONS) as TicketAction[];

export function transitionDef(action: string): TransitionDef | undefined {
  // Own keys only: "__proto__", "constructor", "toString" are not actions.
  return Object.hasOwn(TRANSITIONS, action) ? (TRANSITIONS as Record<string, TransitionDef>)[action] : undefined;
}

/** The states an action may lead to from `from` (a self-loop stays where it is). */
export function targetsOf(def: TransitionDef, from?: TicketStatus): readonly TicketStatus[] {
  if (typeof def.to === "string") return [def.to];
  if (def.to.targets.length) return def.to.targets;
  return from ? [from] : def.from;
}

export function nextStatus(def: TransitionDef, t: TicketView): TicketStatus {
  return typeof def.to === "string" ? def.to : def.to.pick(t);
}

/** The statuses a new ticket starts in, by how it was submitted. */
export const INITIAL_STATUSES: readonly TicketStatus[] = ["pending_confirmation", "awaiting_routing"];
