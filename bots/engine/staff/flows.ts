// Staff actions from the chat: a button `s:<ticketId>:<action>:<version>` either acts at once
// (accept, crew dispatched, verify) or starts a short flow that asks for what the action
// requires (works + work order, a reason, a date, an executor). Every action goes through
// ticketActionTaker with the button's version, so a ticket that moved on is never acted on twice.
import { DateTime } from "luxon";
import { QueryTypes } from "sequelize";
import { attachmentAdder } from "../../../src/commands/attachmentAdder.ts";
import { ticketActionTaker } from "../../../src/commands/ticketActionTaker.ts";
import { lastChangedBy } from "../../../src/commands/ticketLoader.ts";
import { config } from "../../../src/config.ts";
import { runCommand, type Actor } from "../../../src/context.ts";
import { sequelize } from "../../../src/db/sequelize.ts";
import { Ticket } from "../../../src/models/Ticket.ts";
import type { User } from "../../../src/models/User.ts";
import { canViewTicket } from "../../../src/policies/ticket.ts";
import { STATUS_LABELS } from "../../../src/workflow/states.ts";
import { DECLINE_REASON_LABELS, DECLINE_REASONS, TRANSITIONS, type ActionInput, type DeclineReason } from "../../../src/workflow/transitions.ts";
import { Refusal, type Turn } from "../turn.ts";
import type { Choice } from "../types.ts";
import { cardIncludes, chatActions, staffActor, ticketCard, type ChatAction } from "./cards.ts";
import { S, SL } from "./texts.ts";

/** A staff flow in progress, kept in the chat's session. */
export interface StaffFlow {
  action: ChatAction;
  ticketId: number;
  version: number;
  step: "works" | "work_order" | "decline_reason" | "comment" | "date" | "reason" | "executor";
  worksDone?: string;
  declineReason?: DeclineReason;
  date?: string; // ISO
}

const CANCEL: Choice = { label: SL.cancel, data: "sx:cancel" };

export async function loadForStaff(turn: Turn, user: User, ticketId: number): Promise<Ticket> {
  const t = await Ticket.findByPk(ticketId, { include: cardIncludes, transaction: turn.ctx.transaction });
  if (!t || !canViewTicket(staffActor(user), t)) throw new Refusal(S.gone);
  return t;
}

function ask(turn: Turn, flow: StaffFlow | undefined, text: string, choices: Choice[][] = [[CANCEL]]): void {
  turn.state = { ...turn.state, staff: flow, kb: choices };
  turn.say(text, { choices });
}

export async function showCard(turn: Turn, user: User, t: Ticket): Promise<void> {
  const card = await ticketCard(turn.ctx, t, staffActor(user));
  turn.state = { ...turn.state, staff: undefined, kb: card.choices };
  turn.say(card.text, { choices: card.choices, photos: card.photos });
}

/** Runs the action as the staff member inside the turn's transaction, with the button's version. */
async function perform(turn: Turn, user: User, flow: Pick<StaffFlow, "action" | "ticketId" | "version">, input: ActionInput): Promise<void> {
  const actor = staffActor(user);
  const t = await runCommand(actor, (ctx) => ticketActionTaker({ ctx, ticketId: flow.ticketId, action: flow.action, input, expectedVersion: flow.version }), turn.ctx);
  turn.ack = "Готово";
  turn.say(S.done(TRANSITIONS[flow.action].label, t.number));
  await showCard(turn, user, await loadForStaff(turn, user, t.id));
}

/** `s:<id>:<action>:<version>` pressed. */
export async function staffButton(turn: Turn, user: User, data: string): Promise<void> {
  const m = /^s:(\d{1,10}):([a-z_]{2,20}):(\d{1,10})$/.exec(data);
  if (!m) throw new Refusal(S.unexpected);
  const t = await loadForStaff(turn, user, Number(m[1]));
  const action = m[2]!;
  if (action === "open") return showCard(turn, user, t);
  const version = Number(m[3]);
  const offered = chatActions(t, staffActor(user)).find((a) => a.action === action);
  if (version !== t.version || !offered) {
    const label = (TRANSITIONS as Record<string, { label: string }>)[action]?.label ?? action;
    const by = await lastChangedBy(turn.ctx, t.id);
    turn.say(version !== t.version ? S.alreadyDone(label, by, STATUS_LABELS[t.status]) : S.notOffered(STATUS_LABELS[t.status]));
    turn.ack = "Заявка уже изменилась";
    return showCard(turn, user, t);
  }
  const flow = { action: offered.action as ChatAction, ticketId: t.id, version };
  switch (flow.action) {
    case "accept":
    case "dispatch_crew":
    case "verify":
      return perform(turn, user, flow, {});
    case "report":
      return ask(turn, { ...flow, step: "works" }, S.askWorks);
    case "decline":
      return ask(turn, { ...flow, step: "decline_reason" }, S.askDeclineReason, [
        ...DECLINE_REASONS.map((r) => [{ label: DECLINE_REASON_LABELS[r], data: `sx:${r}` }]),
        [CANCEL],
      ]);
    case "postpone":
      return ask(turn, { ...flow, step: "date" }, S.askPostponeDate);
    case "extend":
      return ask(turn, { ...flow, step: "date" }, S.askExtendDate);
    case "reject":
    case "return_work":
      return ask(turn, { ...flow, step: "reason" }, S.askReason);
    case "assign":
      return ask(turn, { ...flow, step: "executor" }, S.pickExecutor, await executorChoices(turn, t));
  }
}

async function executorChoices(turn: Turn, t: Ticket): Promise<Choice[][]> {
  const rows = await sequelize().query<{ kind: string; id: number; name: string }>(
    `SELECT 'u' AS kind, id, full_name AS name FROM users WHERE organisation_id = $1 AND active AND role = 'uo'
     UNION ALL
     SELECT 'o', o.id, o.short_name FROM organisation_links l JOIN organisations o ON o.id = l.provider_id WHERE l.uo_id = $1 AND o.active
     ORDER BY 1 DESC, 3 LIMIT 9`,
    { bind: [t.uoId], type: QueryTypes.SELECT, transaction: turn.ctx.transaction },
  );
  if (!rows.length) throw new Refusal(S.noExecutors);
  return [...rows.map((r) => [{ label: r.kind === "u" ? `👷 ${r.name}` : r.name, data: `sx:${r.kind}${r.id}` }]), [CANCEL]];
}

function parseDate(text: string, endOfDay: boolean): Date {
  const m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(text.trim());
  if (!m) throw new Refusal(S.badDate);
  const d = DateTime.fromObject({ day: Number(m[1]), month: Number(m[2]), year: Number(m[3]) }, { zone: config().district.timezone });
  if (!d.isValid) throw new Refusal(S.badDate);
  const at = endOfDay ? d.endOf("day") : d.set({ hour: 9 });
  if (at.toMillis() <= Date.now()) throw new Refusal(S.pastDate);
  return at.toJSDate();
}

function text(input: { kind: string; text?: string }, min = 3): string {
  if (input.kind !== "text") throw new Refusal(S.onlyText);
  const s = (input.text ?? "").trim();
  if (s.length < min || !/\p{L}/u.test(s)) throw new Refusal(S.commentShort);
  return s;
}

export type FlowInput = { kind: "text"; text: string } | { kind: "choice"; value: string } | { kind: "files"; files: NonNullable<Turn["inc"]["files"]> } | { kind: "other" };

/** The next answer inside a flow. */
export async function continueFlow(turn: Turn, user: User, flow: StaffFlow, input: FlowInput): Promise<void> {
  const actor: Actor = staffActor(user);
  if (input.kind === "choice" && input.value === "cancel") {
    turn.state = { ...turn.state, staff: undefined, kb: undefined };
    turn.say(S.cancelled);
    return;
  }
  switch (flow.step) {
    case "works": {
      const works = text(input, 5);
      return ask(turn, { ...flow, step: "work_order", worksDone: works }, S.askWorkOrder);
    }
    case "work_order": {
      if (input.kind !== "files") throw new Refusal(S.askWorkOrder);
      if (input.files.length !== 1) throw new Refusal(S.oneFile);
      const f = input.files[0]!;
      const data = await turn.port.download(f, config().uploads.maxBytes);
      const att = await runCommand(actor, (ctx) => attachmentAdder({ ctx, ticketId: flow.ticketId, kind: "work_order", originalName: f.name, data }), turn.ctx);
      return perform(turn, user, flow, { worksDone: flow.worksDone!, workOrderAttachmentId: att.id });
    }
    case "decline_reason": {
      if (input.kind !== "choice" || !(DECLINE_REASONS as readonly string[]).includes(input.value)) throw new Refusal(S.pressButton);
      return ask(turn, { ...flow, step: "comment", declineReason: input.value as DeclineReason }, S.askComment);
    }
    case "comment":
      return perform(turn, user, flow, { declineReason: flow.declineReason!, reason: text(input) });
    case "date": {
      if (input.kind !== "text") throw new Refusal(S.badDate);
      const at = parseDate(input.text, flow.action === "extend");
      return ask(turn, { ...flow, step: "reason", date: at.toISOString() }, S.askReason);
    }
    case "reason": {
      const reason = text(input);
      if (flow.action === "postpone") return perform(turn, user, flow, { until: new Date(flow.date!), reason });
      if (flow.action === "extend") return perform(turn, user, flow, { deadlineAt: new Date(flow.date!), reason });
      return perform(turn, user, flow, { reason });
    }
    case "executor": {
      if (input.kind !== "choice") throw new Refusal(S.pressButton);
      const m = /^([uo])(\d{1,10})$/.exec(input.value);
      if (!m) throw new Refusal(S.pressButton);
      const id = Number(m[2]);
      const t = await loadForStaff(turn, user, flow.ticketId);
      const exec: ActionInput = m[1] === "u" ? { executorOrgId: t.uoId!, executorUserId: id } : { executorOrgId: id };
      return perform(turn, user, flow, exec);
    }
  }
}
