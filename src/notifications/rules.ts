// Who hears what: turns one outbox event into notices for audiences (a resident, a user, an
// organisation's staff, a role, an address). Each rule can be switched off in the settings
// table (key "notifications.rules"); the defaults follow the regulation.
import { QueryTypes } from "sequelize";
import { sequelize } from "../db/sequelize.ts";
import { addressOf } from "../presenters/ticket.ts";
import { Apartment, Building } from "../models/Building.ts";
import { Category } from "../models/Category.ts";
import { Organisation } from "../models/Organisation.ts";
import { Outage, OutageTicket } from "../models/Outage.ts";
import { Attachment, Ticket } from "../models/Ticket.ts";
import { formatPhone } from "../lib/phone.ts";
import type { StaffRole } from "../models/User.ts";
import type { MessageButton } from "./channels.ts";
import {
  incidentLinkedText,
  outageText,
  residentButtons,
  residentTicketText,
  staffButtons,
  staffTicketText,
  type OutageFacts,
  type OutageMoment,
  type TicketFacts,
} from "./texts.ts";

export const DEFAULT_RULES = {
  "resident.status": true, // residents: every change of their tickets' status
  "resident.reminder": true, // residents: "please confirm" reminder a day after verification
  "uo.new_ticket": true,
  "uo.declined": true, // an executor declined
  "uo.reported": true, // completion report waits for verification
  "uo.disputed": true,
  "uo.deadline": true, // deadline about to pass / passed
  "executor.assigned": true,
  "executor.returned": true,
  "executor.reminder": true, // deadline about to pass / passed
  "operator.rejected": true, // УО rejected a ticket: the call centre re-routes it
  "emergency.no_crew": true, // УО and agency: emergency with no crew 30 min after registration
  "outage.residents": true, // residents of affected buildings
  "outage.uo": true, // УО: outages registered by a РСО at its buildings
  "digest.uo": true, // daily e-mail digest per УО
};
export type RuleName = keyof typeof DEFAULT_RULES;
export type Rules = Record<RuleName, boolean>;

export type Audience =
  | { resident: number }
  | { user: number }
  | { org: number; roles?: StaffRole[]; onlyUser?: number | null }
  | { role: StaffRole }
  | { email: string };

export interface Notice {
  kind: string;
  to: Audience;
  subject?: string;
  text: string;
  html?: string;
  buttons?: MessageButton[][];
  ticketId?: number;
  /** Never send to this user (the one who acted). */
  exceptUserId?: number | null;
  /** E-mail only (digests). */
  emailOnly?: boolean;
}

export async function loadRules(): Promise<Rules> {
  const rows = await sequelize().query<{ value: Partial<Rules> }>("SELECT value FROM settings WHERE key = 'notifications.rules'", {
    type: QueryTypes.SELECT,
  });
  return { ...DEFAULT_RULES, ...(rows[0]?.value ?? {}) };
}

interface LoadedTicket {
  facts: TicketFacts;
  ticket: Ticket;
}

/** Ticket facts loaded once per fan-out batch (several events of one ticket share them). */
export type FactsMemo = Map<number, Promise<LoadedTicket | null>>;

function factsOnce(memo: FactsMemo, ticketId: number): Promise<LoadedTicket | null> {
  let p = memo.get(ticketId);
  if (!p) memo.set(ticketId, (p = loadTicketFacts(ticketId)));
  return p;
}

const factsQuery = () => ({
  attributes: { include: [[sequelize().literal(`(SELECT count(*) FROM attachments a WHERE a.ticket_id = "Ticket".id AND a.kind = 'photo')::int`), "photoCount"]] as [never, string][] },
  include: [
    { model: Category, as: "category" },
    { model: Building, as: "building" },
    { model: Apartment, as: "apartment" },
    { model: Organisation, as: "executorOrg" },
  ],
});

export async function loadTicketFacts(ticketId: number): Promise<LoadedTicket | null> {
  const t = await Ticket.findByPk(ticketId, factsQuery());
  return t ? factsOf(t) : null;
}

/** Reads the facts of many tickets in one query into `memo` (a fan-out batch's tickets). */
export async function prefetchTicketFacts(memo: FactsMemo, ticketIds: number[]): Promise<void> {
  const ids = [...new Set(ticketIds)].filter((id) => !memo.has(id));
  if (!ids.length) return;
  const found = new Map((await Ticket.findAll({ where: { id: ids }, ...factsQuery() })).map((t) => [t.id, t]));
  for (const id of ids) {
    const t = found.get(id);
    memo.set(id, Promise.resolve(t ? factsOf(t) : null));
  }
}

function factsOf(t: Ticket): LoadedTicket {
  return {
    ticket: t,
    facts: {
      id: t.id,
      number: t.number,
      category: t.category?.name ?? "",
      address: t.building ? addressOf(t.building) : (t.addressText ?? ""),
      deadlineAt: t.deadlineAt,
      status: t.status,
      version: t.version,
      emergency: t.emergency,
      worksDone: t.worksDone,
      closureKind: t.closureKind,
      postponedUntil: t.postponedUntil,
      executorName: t.executorOrg?.shortName ?? null,
      rating: t.rating,
      description: t.description,
      contact: t.contactPhone ? `${t.contactName ?? "житель"}, ${formatPhone(t.contactPhone)}` : null,
      photos: Number(t.get("photoCount" as never) ?? 0),
    },
  };
}

export async function loadOutageFacts(outageId: number): Promise<(OutageFacts & { orgType: string; buildingIds: number[]; uoIds: number[] }) | null> {
  const o = await Outage.findByPk(outageId, { include: [{ model: Building, as: "buildings" }, { model: Organisation, as: "org" }] });
  if (!o) return null;
  const buildings = o.buildings ?? [];
  return {
    id: o.id,
    resource: o.resource,
    kind: o.kind,
    startsAt: o.startsAt,
    expectedEndAt: o.expectedEndAt,
    endedAt: o.endedAt,
    reason: o.reason,
    orgName: o.org?.shortName ?? "",
    orgType: o.org?.type ?? "",
    addresses: buildings.map((b) => addressOf(b)),
    buildingIds: buildings.map((b) => b.id),
    uoIds: [...new Set(buildings.map((b) => b.uoId).filter((x): x is number => !!x))],
  };
}

interface TicketPayload {
  ticketId: number;
  action: string;
  from: string | null;
  to: string;
  reason: string | null;
  actor: { kind: string; role: string; userId: number | null; label: string };
  uoId: number | null;
  executorOrgId: number | null;
  residentId: number | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

async function ticketNotices(p: TicketPayload, rules: Rules, memo: FactsMemo): Promise<Notice[]> {
  const loaded = await factsOnce(memo, p.ticketId);
  if (!loaded) return [];
  const { facts: t, ticket } = loaded;
  const out: Notice[] = [];
  const current = t.status === p.to; // buttons only while the ticket is still where the event left it
  const except = p.actor.userId;

  if (p.residentId && rules["resident.status"]) {
    let text: string | null = null;
    let buttons: MessageButton[][] | undefined;
    if (p.action === "incident_linked") {
      const link = await OutageTicket.findByPk(t.id);
      const o = link ? await loadOutageFacts(link.outageId) : null;
      if (o) text = incidentLinkedText(t, o);
    } else if (p.actor.kind !== "resident" && !(p.actor.kind === "system" && p.action === "route")) {
      text = residentTicketText(p.action, t, p.reason, p.to as TicketFacts["status"]);
      if ((p.action === "verify" || p.action === "resolve_incident") && current) buttons = residentButtons.confirmation(t.id);
      if (p.action === "confirm" && !t.rating) buttons = residentButtons.rating(t.id);
    }
    if (text) out.push({ kind: `resident.${p.action}`, to: { resident: p.residentId }, text, buttons, ticketId: t.id });
  }

  const uo = (kind: string, rule: RuleName, extra: Parameters<typeof staffTicketText>[2] = {}, buttons?: MessageButton[][]) => {
    if (p.uoId && rules[rule])
      out.push({ kind: `uo.${kind}`, to: { org: p.uoId, roles: ["uo"] }, text: staffTicketText(kind, t, extra), buttons, ticketId: t.id, exceptUserId: except });
  };
  const reason = { reason: p.reason, actor: p.actor.label };
  switch (p.action) {
    case "route":
      uo(
        "new_ticket",
        "uo.new_ticket",
        {},
        current
          ? staffButtons(t, [
              { action: "assign", label: "Назначить" },
              { action: "postpone", label: "Отложить" },
              { action: "extend", label: "Продлить срок" },
              { action: "reject", label: "Отклонить" },
              { action: "open", label: "Открыть заявку" },
            ])
          : undefined,
      );
      break;
    case "decline":
      uo("declined", "uo.declined", { ...reason, declineReason: (p.changes.declineReason?.to as string) ?? null });
      break;
    case "report":
      uo(
        "reported",
        "uo.reported",
        {},
        current
          ? staffButtons(t, [
              { action: "verify", label: "Подтвердить" },
              { action: "return_work", label: "Вернуть" },
              { action: "open", label: "Открыть заявку" },
            ])
          : undefined,
      );
      break;
    case "dispute":
      uo("disputed", "uo.disputed", reason);
      break;
    case "withdraw":
      uo("withdrawn", "uo.disputed", reason);
      break;
    case "reject":
      if (rules["operator.rejected"]) out.push({ kind: "operator.rejected", to: { role: "operator" }, text: staffTicketText("rejected", t, reason), ticketId: t.id });
      break;
    case "assign":
    case "reassign": {
      const executor = p.changes.executorOrgId?.to;
      if (rules["executor.assigned"] && typeof executor === "number") {
        const acts = [
          { action: "accept", label: "Принять" },
          ...(t.emergency ? [{ action: "dispatch_crew", label: "Бригада выехала" }] : []),
          { action: "decline", label: "Не могу выполнить" },
          { action: "open", label: "Открыть заявку (фото)" },
        ];
        out.push({
          kind: "executor.assigned",
          to: { org: executor, onlyUser: (p.changes.executorUserId?.to as number | undefined) ?? null },
          text: staffTicketText("assigned", t, { reason: p.action === "reassign" ? p.reason : null }),
          buttons: current ? staffButtons(t, acts) : undefined,
          ticketId: t.id,
          exceptUserId: except,
        });
      }
      const prev = p.changes.executorOrgId?.from;
      if (rules["executor.assigned"] && typeof prev === "number" && prev !== executor)
        out.push({ kind: "executor.unassigned", to: { org: prev }, text: staffTicketText("unassigned", t, reason), ticketId: t.id, exceptUserId: except });
      break;
    }
    case "return_work":
      if (rules["executor.returned"] && p.executorOrgId)
        out.push({ kind: "executor.returned", to: { org: p.executorOrgId }, text: staffTicketText("returned", t, reason), ticketId: t.id, exceptUserId: except });
      break;
  }
  return out;
}

/** Notices raised by the schedules about one ticket. */
async function scheduledTicketNotices(topic: string, ticketId: number, rules: Rules, memo: FactsMemo): Promise<Notice[]> {
  const loaded = await factsOnce(memo, ticketId);
  if (!loaded) return [];
  const { facts: t, ticket } = loaded;
  const out: Notice[] = [];
  switch (topic) {
    case "ticket.deadline_soon":
    case "ticket.deadline_passed": {
      const kind = topic === "ticket.deadline_soon" ? "deadline_soon" : "deadline_passed";
      if (ticket.uoId && rules["uo.deadline"]) out.push({ kind: `uo.${kind}`, to: { org: ticket.uoId, roles: ["uo"] }, text: staffTicketText(kind, t), ticketId });
      if (ticket.executorOrgId && ticket.executorOrgId !== ticket.uoId && rules["executor.reminder"])
        out.push({ kind: `executor.${kind}`, to: { org: ticket.executorOrgId, onlyUser: ticket.executorUserId }, text: staffTicketText(kind, t), ticketId });
      break;
    }
    case "ticket.dispatch_overdue":
      if (!rules["emergency.no_crew"]) break;
      if (ticket.uoId) out.push({ kind: "uo.no_crew", to: { org: ticket.uoId, roles: ["uo"] }, text: staffTicketText("no_crew", t), ticketId });
      out.push({ kind: "agency.no_crew", to: { role: "agency" }, text: staffTicketText("no_crew", t), ticketId });
      break;
    case "ticket.confirmation_reminder":
      if (ticket.residentId && rules["resident.reminder"] && t.status === "verified")
        out.push({
          kind: "resident.reminder",
          to: { resident: ticket.residentId },
          text: `Напоминаем: ${residentTicketText("verify", t, null, "verified")}`,
          buttons: residentButtons.confirmation(t.id),
          ticketId,
        });
      break;
  }
  return out;
}

/** Residents of the given buildings (through their apartments). */
export async function residentsOfBuildings(buildingIds: number[]): Promise<number[]> {
  if (!buildingIds.length) return [];
  const rows = await sequelize().query<{ id: number }>(
    `SELECT DISTINCT ra.resident_id AS id FROM resident_apartments ra JOIN apartments a ON a.id = ra.apartment_id
      JOIN residents r ON r.id = ra.resident_id WHERE a.building_id = ANY($1::int[]) AND r.anonymised_at IS NULL ORDER BY 1`,
    { bind: [buildingIds], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.id);
}

async function outageNotices(p: { outageId: number; moment: OutageMoment }, rules: Rules): Promise<Notice[]> {
  const o = await loadOutageFacts(p.outageId);
  if (!o) return [];
  const out: Notice[] = [];
  const msg = outageText(p.moment, o);
  if (rules["outage.residents"])
    for (const r of await residentsOfBuildings(o.buildingIds)) out.push({ kind: `outage.${p.moment}`, to: { resident: r }, ...msg });
  if (rules["outage.uo"] && o.orgType === "resource_supplier" && p.moment !== "starting")
    for (const uoId of o.uoIds) out.push({ kind: `uo.outage.${p.moment}`, to: { org: uoId, roles: ["uo"] }, ...msg });
  return out;
}

/** Everything one outbox event should make people hear. */
export async function noticesFor(topic: string, payload: Record<string, unknown>, rules: Rules, memo: FactsMemo = new Map()): Promise<Notice[]> {
  switch (topic) {
    case "ticket.created":
    case "ticket.transitioned":
      return ticketNotices(payload as unknown as TicketPayload, rules, memo);
    case "ticket.deadline_soon":
    case "ticket.deadline_passed":
    case "ticket.dispatch_overdue":
    case "ticket.confirmation_reminder":
      return scheduledTicketNotices(topic, Number(payload.ticketId), rules, memo);
    case "outage.changed":
      return outageNotices(payload as { outageId: number; moment: OutageMoment }, rules);
    case "email.requested": {
      const e = payload as { to: string; subject: string; text: string; html?: string };
      return [{ kind: "email", to: { email: e.to }, subject: e.subject, text: e.text, html: e.html, emailOnly: true }];
    }
    case "message.requested": {
      const m = payload as { residentId?: number; userId?: number; text: string; buttons?: MessageButton[][] };
      const to: Audience | null = m.residentId ? { resident: m.residentId } : m.userId ? { user: m.userId } : null;
      return to ? [{ kind: "message", to, text: m.text, buttons: m.buttons }] : [];
    }
    case "digest.uo": {
      if (!rules["digest.uo"]) return [];
      const d = payload as { uoId: number; subject: string; text: string; html: string; emails: string[] };
      return d.emails.map((email) => ({ kind: "digest.uo", to: { email }, subject: d.subject, text: d.text, html: d.html, emailOnly: true }));
    }
    default:
      return [];
  }
}
