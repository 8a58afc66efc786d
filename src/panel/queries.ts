// Read models of the panel pages, always through the same scope as the API (ticketScope).
import { Op, type WhereOptions } from "sequelize";
import { DateTime } from "luxon";
import { config } from "../config.ts";
import type { UserActor } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { Category } from "../models/Category.ts";
import { Organisation, OrganisationLink } from "../models/Organisation.ts";
import { Ticket } from "../models/Ticket.ts";
import { User } from "../models/User.ts";
import { ticketScope } from "../policies/ticket.ts";
import { presentTicketSummary } from "../presenters/ticket.ts";
import { ticketIncludes } from "../routes/api/tickets.ts";
import type { OfferedAction } from "../workflow/engine.ts";
import type { ActionChoices } from "./views/tickets.ts";

export const TABS = ["open", "overdue", "intake", "closed", "all"] as const;
export type Tab = (typeof TABS)[number];
export const TAB_LABELS: Record<Tab, string> = {
  open: "В работе",
  overdue: "Просроченные",
  intake: "Ждут оператора",
  closed: "Закрытые",
  all: "Все",
};

export async function listTickets(actor: UserActor, tab: Tab, limit = 50) {
  const where: WhereOptions<Ticket>[] = [ticketScope(actor)];
  if (tab === "open") where.push({ status: { [Op.ne]: "closed" } });
  if (tab === "overdue") where.push({ status: { [Op.ne]: "closed" }, deadlineAt: { [Op.lt]: new Date() } });
  if (tab === "intake") where.push({ status: { [Op.in]: ["pending_confirmation", "awaiting_routing", "verified"] } });
  if (tab === "closed") where.push({ status: "closed" });
  // Management companies, executors and oversight see emergencies and overdue work first;
  // the call centre sees what changed last.
  const order =
    actor.role === "operator" || actor.role === "admin"
      ? [["updatedAt", "DESC"]]
      : [
          sequelize().literal(`("Ticket".status <> 'closed' AND "Ticket".emergency) DESC`),
          sequelize().literal(`("Ticket".status <> 'closed' AND "Ticket".deadline_at < now()) DESC`),
          ["deadlineAt", "ASC"],
        ];
  const rows = await Ticket.findAll({ where: { [Op.and]: where }, include: ticketIncludes.slice(0, 5), order: [...(order as never[]), ["id", "DESC"]], limit });
  return rows.map((t) => presentTicketSummary(t, actor));
}

export const defaultTab = (actor: UserActor): Tab => (actor.role === "operator" ? "all" : "open");

/** Only what the offered actions need. */
export async function actionChoices(ticket: Ticket, actor: UserActor, actions: OfferedAction[]): Promise<ActionChoices> {
  const need = new Set(actions.flatMap((a) => [...a.requires, ...a.optional]));
  const ch: ActionChoices = { uos: [], executors: [], staff: [], categories: [] };
  if (need.has("uoId"))
    ch.uos = (await Organisation.findAll({ where: { type: "management_company", active: true }, order: [["shortName", "ASC"]] })).map((o) => ({ id: o.id, label: o.shortName }));
  if (need.has("executorOrgId") && ticket.uoId) {
    const links = await OrganisationLink.findAll({ where: { uoId: ticket.uoId } });
    const orgs = await Organisation.findAll({ where: { id: [ticket.uoId, ...links.map((l) => l.providerId)], active: true }, order: [["shortName", "ASC"]] });
    ch.executors = orgs.map((o) => ({ id: o.id, label: o.id === ticket.uoId ? `${o.shortName} (своими силами)` : `${o.shortName} (${o.type === "contractor" ? "ПО" : "РСО"})` }));
  }
  if (need.has("executorUserId") && actor.orgId)
    ch.staff = (await User.findAll({ where: { organisationId: actor.orgId, active: true }, order: [["fullName", "ASC"]] })).map((u) => ({ id: u.id, label: u.fullName }));
  if (need.has("categoryId"))
    ch.categories = (await Category.findAll({ where: { active: true }, order: [["sortOrder", "ASC"], ["id", "ASC"]] })).map((c) => ({ id: c.id, label: c.name }));
  return ch;
}

/** Form values (strings) → the API's action input: empties dropped, local times in the district's zone. */
export function formToActionInput(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body ?? {})) {
    if (k === "_csrf" || typeof v !== "string" || v.trim() === "") continue;
    if (k === "until" || k === "deadlineAt") {
      const d = DateTime.fromISO(v, { zone: config().district.timezone });
      out[k] = d.isValid ? d.toJSDate().toISOString() : v;
    } else if (k === "publishable") out[k] = v === "true";
    else out[k] = v;
  }
  return out;
}
