// Applies one action of the transition table to a ticket: the only path that changes a
// ticket's state. It checks state, role and relation, required fields and the guard, saves
// the change, and writes the history row, the outbox event and the live push in the same
// transaction.
import { preparedQuery } from "../db/prepared.ts";
import { sequelize } from "../db/sequelize.ts";
import { actorLabel, type Actor, type Ctx } from "../context.ts";
import { errors } from "../errors.ts";
import { Ticket, TicketHistory } from "../models/Ticket.ts";
import { OUTBOX_CHANNEL } from "../outbox/index.ts";
import { canAct } from "../policies/ticket.ts";
import { NOTIFY_LIMIT, publishPush, PUSH_CHANNEL, type PushMessage } from "../push/publish.ts";
import { STATUS_LABELS, type TicketStatus } from "./states.ts";
import {
  nextStatus,
  TICKET_ACTIONS,
  transitionDef,
  TRANSITIONS,
  type ActionInput,
  type GuardFacts,
  type InputField,
  type TicketAction,
} from "./transitions.ts";

const FIELD_LABELS: Record<InputField, string> = {
  reason: "причина",
  comment: "комментарий",
  until: "дата, до которой отложить",
  deadlineAt: "новый срок",
  deadlineBasis: "основание срока",
  dispatchDeadlineAt: "срок выезда",
  categoryId: "тип заявки",
  emergency: "аварийность",
  uoId: "управляющая организация",
  executorOrgId: "исполнитель",
  executorUserId: "сотрудник-исполнитель",
  worksDone: "выполненные работы",
  workOrderAttachmentId: "заказ-наряд (файл)",
  declineReason: "причина отказа",
  rating: "оценка",
  publishable: "публикация",
};

function missingFields(required: readonly InputField[], input: ActionInput): InputField[] {
  return required.filter((f) => {
    const v = input[f];
    return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
  });
}

export interface HistoryEntry {
  action: string;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus;
  reason?: string | null;
  changes?: Record<string, { from: unknown; to: unknown }>;
}

/** One change to record: who made it and what it was. */
export interface RecordedChange {
  actor: Actor;
  entry: HistoryEntry;
  /** The ticket as this change left it, when a later change of the same statement moved it on. */
  state?: Pick<Ticket, "status" | "uoId" | "executorOrgId" | "version">;
}

/**
 * Writes the history row, the outbox event and the live push for one change of a ticket.
 * One statement (one round trip): the outbox payload carries the new history id, and both
 * NOTIFYs leave at commit (never if the transaction rolls back).
 */
export async function recordChange(ctx: Ctx, ticket: Ticket, entry: HistoryEntry): Promise<TicketHistory> {
  return (await recordChanges(ctx, ticket, [{ actor: ctx.actor, entry }]))[0]!;
}

/** Several changes of one ticket, in order, in one statement (a create and its automatic route). */
export async function recordChanges(ctx: Ctx, ticket: Ticket, list: RecordedChange[]): Promise<TicketHistory[]> {
  const bind: unknown[] = [];
  const p = (v: unknown) => `$${bind.push(v)}`;
  const fields = list.map(({ actor: a, entry }) => ({
    ticketId: ticket.id,
    action: entry.action,
    fromStatus: entry.fromStatus,
    toStatus: entry.toStatus,
    actorKind: (a.kind === "public" ? "system" : a.kind) as TicketHistory["actorKind"],
    actorUserId: a.kind === "user" ? a.user.id : null,
    actorResidentId: a.kind === "resident" ? a.resident.id : null,
    actorRole: a.role,
    actorOrgId: a.kind === "user" ? a.orgId : null,
    reason: entry.reason ?? null,
    changes: entry.changes ?? {},
  }));
  const late: PushMessage[] = [];
  const rowsSql = list.map(({ actor: a, entry, state }, i) => {
    const f = fields[i]!;
    const t = state ?? { status: ticket.status, uoId: ticket.uoId, executorOrgId: ticket.executorOrgId, version: ticket.version };
    const payload = {
      ticketId: ticket.id,
      number: ticket.number,
      action: entry.action,
      from: entry.fromStatus,
      to: entry.toStatus,
      reason: entry.reason ?? null,
      actor: { kind: a.kind, role: a.role, userId: a.kind === "user" ? a.user.id : null, label: actorLabel(a) },
      uoId: t.uoId,
      executorOrgId: t.executorOrgId,
      residentId: ticket.residentId,
      changes: entry.changes ?? {},
    };
    const orgIds = [t.uoId, t.executorOrgId, ...previousOrgs(entry)].filter((x): x is number => typeof x === "number");
    const push: PushMessage = {
      event: "ticket.changed",
      audience: { roles: ["operator", "admin", "agency", "oversight"], orgIds },
      data: { id: ticket.id, number: ticket.number, status: t.status, action: entry.action, version: t.version },
    };
    const pushBody = JSON.stringify(push);
    const inline = Buffer.byteLength(pushBody) <= NOTIFY_LIMIT;
    if (!inline) late.push(push);
    return `(${i}, ${p(f.ticketId)}::int, ${p(f.action)}::text, ${p(f.fromStatus)}::text, ${p(f.toStatus)}::text, ${p(f.actorKind)}::text, ${p(f.actorUserId)}::int,
      ${p(f.actorResidentId)}::int, ${p(f.actorRole)}::text, ${p(f.actorOrgId)}::int, ${p(f.reason)}::text, ${p(JSON.stringify(f.changes))}::jsonb,
      ${p(entry.action === "create" ? "ticket.created" : "ticket.transitioned")}::text, ${p(JSON.stringify(payload))}::jsonb, ${p(inline ? pushBody : null)}::text)`;
  });
  // History ids follow the order of the list (one sequence, rows inserted in VALUES order).
  // Prepared for the usual one to three rows (a create with its route is two).
  const rows = await preparedQuery<{ id: number; createdAt: Date }>(
    ctx.transaction,
    rowsSql.length <= 3 ? `op_history_${rowsSql.length}` : null,
    `WITH v (n, ticket_id, action, from_status, to_status, actor_kind, actor_user_id, actor_resident_id, actor_role, actor_org_id, reason, changes, topic, payload, push) AS (
       VALUES ${rowsSql.join(",\n")}
     ), h AS (
       INSERT INTO ticket_history (ticket_id, action, from_status, to_status, actor_kind, actor_user_id, actor_resident_id, actor_role, actor_org_id, reason, changes)
       SELECT ticket_id, action, from_status, to_status, actor_kind, actor_user_id, actor_resident_id, actor_role, actor_org_id, reason, changes FROM v ORDER BY n
       RETURNING id, created_at
     ), hn AS (SELECT id, created_at, row_number() OVER (ORDER BY id) - 1 AS n FROM h
     ), o AS (
       INSERT INTO outbox (topic, payload)
       SELECT v.topic, v.payload || jsonb_build_object('historyId', hn.id) FROM v JOIN hn USING (n) ORDER BY v.n RETURNING id
     )
     SELECT hn.id, hn.created_at AS "createdAt",
            (SELECT count(pg_notify('${OUTBOX_CHANNEL}', o.id::text)) FROM o) AS notified,
            CASE WHEN v.push IS NULL THEN NULL ELSE pg_notify('${PUSH_CHANNEL}', v.push) END
       FROM hn JOIN v USING (n) ORDER BY hn.n`,
    bind,
  );
  for (const push of late) await publishPush(sequelize(), push, ctx.transaction);
  return rows.map((row, i) => TicketHistory.build({ ...fields[i]!, id: row.id, createdAt: row.createdAt }, { isNewRecord: false, raw: true }));
}

// An organisation that just lost the ticket (rejected, declined, reassigned) still hears of it once.
function previousOrgs(entry: HistoryEntry): unknown[] {
  const c = entry.changes ?? {};
  return [c.uoId?.from, c.executorOrgId?.from];
}

export interface ApplyOptions {
  facts: GuardFacts;
  expectedVersion?: number;
  /** Describes who last changed the ticket, for "already done by …" answers. */
  lastChangedBy?: () => Promise<string | null>;
}

/** Applies `action` to a ticket locked by the caller (SELECT … FOR UPDATE). */
export async function applyAction(ctx: Ctx, ticket: Ticket, action: string, input: ActionInput, opts: ApplyOptions): Promise<Ticket> {
  const entry = await planAction(ctx, ticket, action, input, opts);
  await ticket.save({ transaction: ctx.transaction });
  await recordChange(ctx, ticket, entry);
  return ticket;
}

/**
 * Checks `action` and applies it to the ticket in memory only (state, fields, version); returns
 * the history entry. The caller saves the ticket and records the entry in the same transaction
 * (applyAction, or ticketCreator for a new ticket routed before its first INSERT).
 */
export async function planAction(ctx: Ctx, ticket: Ticket, action: string, input: ActionInput, opts: ApplyOptions): Promise<HistoryEntry> {
  const def = transitionDef(action);
  if (!def) throw errors.badRequest(`Неизвестное действие: ${action}.`, "unknown_action");
  const stale = opts.expectedVersion !== undefined && opts.expectedVersion !== ticket.version;
  if (stale || !def.from.includes(ticket.status)) {
    if (stale) throw errors.ticketChanged((await opts.lastChangedBy?.()) ?? null, STATUS_LABELS[ticket.status]);
    throw errors.transitionNotAllowed(def.label, STATUS_LABELS[ticket.status]);
  }
  if (!canAct(ctx.actor, action, ticket)) throw errors.forbidden(`Действие «${def.label}» вам недоступно для этой заявки.`);
  const missing = missingFields(def.requires, input);
  if (missing.length) throw errors.validationFailed(missing.map((f) => ({ field: f, message: `обязательно: ${FIELD_LABELS[f]}` })));
  const refused = def.guard?.(ticket, input, opts.facts);
  if (refused) throw errors.guardFailed(refused.id, refused.message);

  const from = ticket.status;
  const to = nextStatus(def, ticket);
  const patch = { ...(def.effect?.(ticket, input, opts.facts.now) ?? {}), status: to } as Record<string, unknown>;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [k, v] of Object.entries(patch)) {
    const old = ticket.get(k as keyof Ticket) as unknown;
    const same = old instanceof Date && v instanceof Date ? old.getTime() === v.getTime() : old === v;
    if (!same) changes[k] = { from: old ?? null, to: v ?? null };
  }
  // A comment that the action does not store on the ticket (as a rating comment) is kept in history.
  if (input.comment && !("ratingComment" in patch)) changes.comment = { from: null, to: input.comment };
  if (input.declineReason) changes.declineReason = { from: null, to: input.declineReason };
  if (input.workOrderAttachmentId) changes.workOrderAttachmentId = { from: null, to: input.workOrderAttachmentId };
  ticket.set({ ...(patch as Partial<Ticket>), version: ticket.version + 1 });
  return { action, fromStatus: from, toStatus: to, reason: input.reason ?? null, changes };
}

export interface OfferedAction {
  action: TicketAction;
  label: string;
  requires: readonly InputField[];
  optional: readonly InputField[];
}

/** The actions this actor may take on this ticket now: what adapters offer as buttons. */
export function nextActions(ticket: Ticket, actor: Actor, facts?: Partial<GuardFacts>): OfferedAction[] {
  const f: GuardFacts = { unansweredAttempts: 0, unreachableMinAttempts: 4, now: new Date(), ...facts };
  const out: OfferedAction[] = [];
  for (const action of TICKET_ACTIONS) {
    const def = TRANSITIONS[action] as (typeof TRANSITIONS)[TicketAction];
    if (!(def.from as readonly string[]).includes(ticket.status)) continue;
    if (!canAct(actor, action, ticket)) continue;
    // Guards that do not depend on the input can be evaluated now.
    if ("guard" in def && def.requires.length === 0 && def.guard?.(ticket, {}, f)) continue;
    out.push({ action, label: def.label, requires: def.requires, optional: "optional" in def ? def.optional : [] });
  }
  return out;
}
