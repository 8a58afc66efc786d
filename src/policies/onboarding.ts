// Onboarding, feedback, conflicts and personal data.
import type { Actor } from "../context.ts";
import type { Conflict } from "../models/Conflict.ts";
import type { ChangeRequest } from "../models/ConnectionRequest.ts";
import { allow } from "./index.ts";

const staff = (a: Actor) => a.kind === "user" && a.user.active;
const roleIn = (a: Actor, ...roles: string[]) => staff(a) && roles.includes(a.role);
const orgOf = (a: Actor) => (a.kind === "user" ? a.orgId : null);
const PARTICIPANTS = ["operator", "agency", "uo", "contractor", "supplier"];

// Connection requests are submitted by anyone (public form); the agency reviews them.
allow("connectionRequest:review", (a) => roleIn(a, "agency", "admin"));
allow("buildings:import", (a) => roleIn(a, "agency", "admin"));

// Feedback: an organisation asks about itself; the agency applies or refuses.
allow("changeRequest:create", (a) => roleIn(a, "uo", "contractor", "supplier", "operator") && orgOf(a) !== null);
allow<ChangeRequest>("changeRequest:view", (a, cr) => roleIn(a, "agency", "admin") || (staff(a) && orgOf(a) === cr.organisationId));
allow("changeRequest:review", (a) => roleIn(a, "agency", "admin"));

// Conflicts (§5): participants notify each other; oversight decides escalated ones.
allow("conflict:file", (a) => roleIn(a, ...PARTICIPANTS) && orgOf(a) !== null);
allow<Conflict>("conflict:view", (a, c) => {
  if (roleIn(a, "admin")) return true;
  if (roleIn(a, "oversight")) return ["escalated", "decided"].includes(c.status);
  return staff(a) && (orgOf(a) === c.notifierOrgId || orgOf(a) === c.respondentOrgId);
});
allow<Conflict>("conflict:answer", (a, c) => roleIn(a, ...PARTICIPANTS) && orgOf(a) === c.respondentOrgId);
allow<Conflict>("conflict:resolve", (a, c) => roleIn(a, ...PARTICIPANTS) && orgOf(a) === c.notifierOrgId);
allow<Conflict>("conflict:escalate", (a, c) => roleIn(a, ...PARTICIPANTS) && orgOf(a) === c.notifierOrgId);
allow<Conflict>("conflict:decide", (a, c) => roleIn(a, "oversight") && c.status === "escalated");

// Personal data (152-ФЗ).
allow("personalData:export", (a) => roleIn(a, "admin", "operator"));
allow("personalData:viewLog", (a) => roleIn(a, "admin"));
allow("personalData:consent", (a) => roleIn(a, "admin", "operator"));
allow("personalData:consentText", (a) => roleIn(a, "admin"));
allow("personalData:anonymise", (a) => roleIn(a, "admin"));
