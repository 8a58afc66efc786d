// Who may see and act on tickets. The list scope and the single-ticket rule are declared together
// so that a list never shows what the card would refuse.
import { Op, type WhereOptions } from "sequelize";
import type { Actor } from "../context.ts";
import type { Ticket } from "../models/Ticket.ts";
import { TICKET_ACTIONS, transitionDef, type TransitionDef } from "../workflow/transitions.ts";
import { allow, can } from "./index.ts";

type TicketRef = Pick<Ticket, "uoId" | "executorOrgId" | "residentId">;

const READ_ALL_ROLES = ["admin", "operator", "agency", "oversight"];

export function canViewTicket(actor: Actor, t: TicketRef): boolean {
  switch (actor.kind) {
    case "system":
      return true;
    case "public":
      return false;
    case "resident":
      return t.residentId === actor.resident.id;
    case "user":
      if (!actor.user.active) return false;
      if (READ_ALL_ROLES.includes(actor.role)) return true;
      if (actor.role === "uo") return actor.orgId !== null && (t.uoId === actor.orgId || t.executorOrgId === actor.orgId);
      if (actor.role === "contractor" || actor.role === "supplier") return actor.orgId !== null && t.executorOrgId === actor.orgId;
      return false;
  }
}

/** The SQL equivalent of canViewTicket for lists. */
export function ticketScope(actor: Actor): WhereOptions<Ticket> {
  const none = { id: -1 };
  switch (actor.kind) {
    case "system":
      return {};
    case "public":
      return none;
    case "resident":
      return { residentId: actor.resident.id };
    case "user":
      if (!actor.user.active) return none;
      if (READ_ALL_ROLES.includes(actor.role)) return {};
      if (actor.orgId === null) return none;
      if (actor.role === "uo") return { [Op.or]: [{ uoId: actor.orgId }, { executorOrgId: actor.orgId }] };
      if (actor.role === "contractor" || actor.role === "supplier") return { executorOrgId: actor.orgId };
      return none;
  }
}

/** Does the actor stand in the relation to this ticket that the action requires? */
export function relatesForAction(actor: Actor, def: TransitionDef, t: TicketRef): boolean {
  if (!def.roles.includes(actor.role)) return false;
  switch (actor.kind) {
    case "system":
      return true;
    case "public":
      return false;
    case "resident":
      return t.residentId === actor.resident.id;
    case "user":
      if (!actor.user.active || !canViewTicket(actor, t)) return false;
      switch (actor.role) {
        case "operator":
          return actor.orgType === "call_centre";
        case "agency":
          return def.relation === "any_staff";
        case "uo":
          if (def.relation === "executor") return t.executorOrgId === actor.orgId;
          if (def.relation === "any_staff") return true;
          return t.uoId === actor.orgId;
        case "contractor":
        case "supplier":
          return t.executorOrgId === actor.orgId;
        default:
          return false;
      }
  }
}

allow<TicketRef>("ticket:read", canViewTicket);
allow("ticket:create", (a) =>
  a.kind === "resident" || a.kind === "system" || (a.kind === "user" && a.user.active && (a.role === "operator" || a.role === "admin")),
);
allow<TicketRef>("ticket:contact_attempt", (a, t) => a.kind === "user" && a.role === "operator" && canViewTicket(a, t));
allow<TicketRef>("ticket:attach", (a, t) => canViewTicket(a, t) && a.role !== "oversight" && a.role !== "agency");
allow<TicketRef>("ticket:view_personal", (a, t) => canViewTicket(a, t));
for (const action of TICKET_ACTIONS) {
  allow<TicketRef>(`ticket:${action}`, (a, t) => relatesForAction(a, transitionDef(action)!, t));
}

export const canAct = (actor: Actor, action: string, t: TicketRef) => can(actor, `ticket:${action}`, t);
