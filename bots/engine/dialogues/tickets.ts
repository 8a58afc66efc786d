// "My requests" (list and card) and closing the loop: confirm, dispute with a comment, rate 1–5.
// Ticket buttons carry `t:<ticketId>:<action>[:<arg>]` and go through the same workflow commands as the panel.
import { ticketActionTaker } from "../../../src/commands/ticketActionTaker.ts";
import { residentActor, runCommand, type Actor } from "../../../src/context.ts";
import { Apartment, Building } from "../../../src/models/Building.ts";
import { Category } from "../../../src/models/Category.ts";
import { Organisation } from "../../../src/models/Organisation.ts";
import { Ticket, TicketHistory } from "../../../src/models/Ticket.ts";
import { User } from "../../../src/models/User.ts";
import { canAct, canViewTicket, ticketScope } from "../../../src/policies/ticket.ts";
import { presentTicket } from "../../../src/presenters/ticket.ts";
import { STATUS_LABELS } from "../../../src/workflow/states.ts";
import { L, T } from "../texts.ts";
import { opt, Refusal, type Step, type Turn } from "../turn.ts";
import type { Choice } from "../types.ts";
import { start } from "./registration.ts";

const MENU_BACK: Choice = { label: "« Мои заявки", data: "m:my" };
const short = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const ratingChoices = (ticketId: number): Choice[][] => [
  [1, 2, 3, 4, 5].map((n) => ({ label: `${n} ★`, data: `t:${ticketId}:rate:${n}` })),
];

function me(turn: Turn): Actor {
  if (!turn.resident) throw new Refusal(T.needRegistration);
  return residentActor(turn.resident);
}

export async function showMyTickets(turn: Turn): Promise<void> {
  if (!turn.resident) {
    turn.say(T.needRegistration);
    start(turn);
    return;
  }
  const actor = me(turn);
  const list = await Ticket.findAll({
    where: ticketScope(actor),
    include: [{ model: Category, as: "category" }],
    order: [["createdAt", "DESC"], ["id", "DESC"]],
    limit: 10,
    transaction: turn.ctx.transaction,
  });
  if (!list.length) {
    turn.say(T.myEmpty, { choices: [[{ label: L.newRequest, data: "m:new" }, { label: L.menu, data: "m:menu" }]] });
    return;
  }
  const lines = list.map((t) => `• № ${t.number} — ${t.category?.name ?? ""}: ${STATUS_LABELS[t.status].toLowerCase()}`);
  turn.say([T.myList, ...lines].join("\n"), {
    choices: [...list.map((t) => [{ label: short(`№ ${t.number} · ${t.category?.name ?? ""}`), data: `v:${t.id}` }]), [{ label: L.menu, data: "m:menu" }]],
  });
}

async function loadOwn(turn: Turn, ticketId: number): Promise<Ticket> {
  const actor = me(turn);
  const t = await Ticket.findByPk(ticketId, {
    include: [
      { model: Category, as: "category" },
      { model: Building, as: "building" },
      { model: Apartment, as: "apartment" },
      { model: Organisation, as: "uo" },
      { model: Organisation, as: "executorOrg" },
      { model: User, as: "executorUser" },
    ],
    transaction: turn.ctx.transaction,
  });
  if (!t || !canViewTicket(actor, t)) throw new Refusal("Заявка не найдена.");
  return t;
}

export async function showTicket(turn: Turn, ticketId: number): Promise<void> {
  const t = await loadOwn(turn, ticketId);
  const history = await TicketHistory.findAll({
    where: { ticketId: t.id },
    include: [{ model: User, as: "actorUser" }],
    order: [["id", "ASC"]],
    transaction: turn.ctx.transaction,
  });
  const p = presentTicket(t, me(turn), { history });
  const lines = [
    `Заявка № ${p.number}${p.emergency ? " (аварийная)" : ""}`,
    `Статус: ${p.statusLabel}`,
    `Категория: ${t.category?.name ?? ""}`,
    p.address ? `Адрес: ${p.address}` : null,
    `Описание: ${p.description}`,
    `Срок: до ${p.deadlineLocal}${p.overdue ? " — срок нарушен" : ""} (${p.deadlineBasis})`,
    p.uo ? `Управляющая организация: ${p.uo.name ?? ""}` : null,
    p.executor ? `Исполнитель: ${p.executor.name ?? ""}${p.executorUser ? `, ${p.executorUser.name}` : ""}` : null,
    p.worksDone ? `Выполненные работы: ${p.worksDone}` : null,
    p.rating ? `Ваша оценка: ${p.rating} из 5` : null,
    "",
    "История:",
    ...(p.history ?? []).slice(-10).map((h) => `• ${h.atLocal} — ${h.label}${h.from !== h.to ? ` → ${h.toLabel.toLowerCase()}` : ""}`),
  ].filter((l): l is string => l !== null);
  const choices: Choice[][] = [];
  const actor = me(turn);
  if (canAct(actor, "confirm", t) && t.status === "verified")
    choices.push([
      { label: L.confirm, data: `t:${t.id}:confirm` },
      { label: L.dispute, data: `t:${t.id}:dispute` },
    ]);
  if (t.status === "closed" && t.rating === null && canAct(actor, "rate", t)) choices.push(...ratingChoices(t.id));
  choices.push([MENU_BACK]);
  turn.say(lines.join("\n"), { choices });
}

/** Refuses in plain Russian when the ticket is not in a state that allows the action. */
function ensureCan(turn: Turn, t: Ticket, action: string): void {
  if (!canAct(me(turn), action, t)) throw new Refusal("Заявка не найдена.");
  const ok = action === "rate" ? t.status === "closed" : t.status === "verified";
  if (!ok) throw new Refusal(`Это действие уже недоступно: заявка № ${t.number} сейчас в статусе «${STATUS_LABELS[t.status]}».`);
}

async function take(turn: Turn, ticketId: number, action: string, input: { reason?: string; rating?: number; comment?: string }) {
  const actor = me(turn);
  return runCommand(actor, (ctx) => ticketActionTaker({ ctx, ticketId, action, input }), turn.ctx);
}

/** `t:<id>:confirm|dispute|rate:<n>` from a pushed message or a card. */
export async function ticketButton(turn: Turn, data: string): Promise<void> {
  const m = /^t:(\d{1,10}):(confirm|dispute|rate)(?::([1-5]))?$/.exec(data);
  if (!m || (m[2] === "rate") !== !!m[3]) throw new Refusal(T.unknownButton);
  const t = await loadOwn(turn, Number(m[1]));
  const action = m[2]!;
  if (action === "confirm") {
    ensureCan(turn, t, "confirm");
    await take(turn, t.id, "confirm", {});
    turn.ack = "Заявка закрыта";
    turn.say(T.confirmed(t.number), { choices: ratingChoices(t.id) });
    return;
  }
  if (action === "dispute") {
    ensureCan(turn, t, "dispute");
    turn.goto("dispute_comment", { ticketId: t.id }, true);
    return;
  }
  const rating = Number(m[3]);
  // One press both confirms and rates when the work still waits for confirmation.
  if (t.status === "verified") {
    ensureCan(turn, t, "confirm");
    await take(turn, t.id, "confirm", { rating });
  } else {
    ensureCan(turn, t, "rate");
    await take(turn, t.id, "rate", { rating });
  }
  turn.ack = `Оценка ${rating} сохранена`;
  turn.goto("rate_comment", { ticketId: t.id, rating }, true);
}

export const disputeComment: Step = {
  async prompt() {
    return { text: T.askDispute, choices: [[opt(L.cancel, "x")]] };
  },
  async handle(turn, input) {
    if (input.kind !== "text") throw new Refusal(input.kind === "choice" ? T.unknownButton : T.onlyText);
    const reason = input.text.trim();
    if (reason.length < 3 || !/\p{L}/u.test(reason)) throw new Refusal("Напишите, пожалуйста, что именно не выполнено.");
    const t = await loadOwn(turn, turn.state.d.ticketId!);
    ensureCan(turn, t, "dispute");
    await take(turn, t.id, "dispute", { reason });
    turn.say(T.disputed(t.number));
    turn.home();
  },
};

export const rateComment: Step = {
  async prompt(turn) {
    return { text: T.rated(turn.state.d.rating ?? 0), choices: [[opt(L.skip, "skip")]] };
  },
  async handle(turn, input) {
    if (input.kind === "choice") {
      if (input.value !== "skip") throw new Refusal(T.unknownButton);
      turn.home();
      return;
    }
    if (input.kind !== "text") throw new Refusal(T.onlyText);
    const t = await loadOwn(turn, turn.state.d.ticketId!);
    ensureCan(turn, t, "rate");
    await take(turn, t.id, "rate", { rating: turn.state.d.rating!, comment: input.text.trim() });
    turn.say(T.ratingComment);
    turn.home();
  },
};
