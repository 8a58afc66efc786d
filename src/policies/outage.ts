// Who may register and change outages: staff of a УО or a РСО, for their own records.
// Outages carry no personal data: every active staff member may read them.
import type { Actor } from "../context.ts";
import type { Outage } from "../models/Outage.ts";
import { allow } from "./index.ts";

const REGISTRARS: Record<string, string> = { uo: "management_company", supplier: "resource_supplier" };

export function canRegisterOutage(actor: Actor): boolean {
  return actor.kind === "user" && actor.user.active && actor.orgId !== null && REGISTRARS[actor.role] === actor.orgType;
}

allow("outage:create", (actor) => canRegisterOutage(actor));
allow<Pick<Outage, "orgId">>("outage:update", (actor, o) => canRegisterOutage(actor) && actor.kind === "user" && actor.orgId === o.orgId);
allow("outage:read", (actor) => actor.kind === "system" || (actor.kind === "user" && actor.user.active));
allow("notifications:admin", (actor) => actor.kind === "user" && actor.user.active && actor.role === "admin");
