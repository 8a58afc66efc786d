// The reviewed access rule of every route and panel page. Adding a route means adding its line
// here (the matrix test fails otherwise). Rules:
//   pub           anyone, anonymous included, passes the gate
//   staff(...)    these staff roles pass; every other staff role is refused (403) or sees nothing (404);
//                 anonymous gets 401 (API) or is sent to the login page (panel)
import type { Outcome, Role } from "./support.ts";

export type Rule =
  | { kind: "public" }
  | { kind: "staff"; roles: readonly Role[]; anon: Outcome }
  | { kind: "form" }
  | { kind: "command"; anon: Outcome; unavailable?: boolean };

const ALL: readonly Role[] = ["admin", "operator", "agency", "uo", "contractor", "supplier", "oversight"];
/** API route for these staff roles (all staff when none named); anonymous → 401. */
const api = (...roles: Role[]): Rule => ({ kind: "staff", roles: roles.length ? roles : ALL, anon: "unauth" });
/** API route that hides itself from anonymous callers too (404, no disclosure). */
const apiHidden = (...roles: Role[]): Rule => ({ kind: "staff", roles: roles.length ? roles : ALL, anon: "hidden" });
/** Panel page for these staff roles; anonymous → the login page. */
const page = (...roles: Role[]): Rule => ({ kind: "staff", roles: roles.length ? roles : ALL, anon: "login" });
/** Any staff member passes the route; the command checks the role after validating the body, so an
 *  empty body answers 400 to every staff role (role checks with valid bodies: roles.test.ts). */
const cmd: Rule = { kind: "command", anon: "unauth" };
/** Panel form post: anonymous → login page; staff are redirected back with a message. */
const form: Rule = { kind: "form" };
const pub: Rule = { kind: "public" };

export function expectedOutcomes(rule: Rule, role: Role): Outcome[] {
  switch (rule.kind) {
    case "public":
      return ["ok", "input", "hidden", "login"];
    case "form":
      return role === "anon" ? ["login"] : ["ok", "input", "forbidden", "hidden"];
    case "command":
      return role === "anon" ? [rule.anon] : rule.unavailable ? ["unavailable"] : ["input", "forbidden", "hidden"];
    case "staff":
      if (role === "anon") return [rule.anon];
      return rule.roles.includes(role) ? ["ok", "input", "hidden"] : ["forbidden", "hidden"];
  }
}

export const ACCESS: Record<string, Rule> = {
  // health and public data (no personal fields: see public-data.test.ts)
  "GET /healthz": pub,
  "GET /open/v1/stats": pub,
  "GET /open/v1/ratings": pub,
  "GET /open/v1/tickets": pub,
  "GET /open/v1/outages": pub,
  "GET /open311/v2/:file": pub,
  "GET /open311/v2/services/:file": pub,
  "GET /open311/v2/requests/:file": pub,
  "GET /open311/v2/tokens/:file": pub,
  "POST /open311/v2/:file": pub, // Open311 clients authenticate with their api_key
  "GET /.well-known/security.txt": pub,
  "GET /security.txt": pub,
  "GET /api/security-contact": pub,
  // sign-in
  "POST /api/auth/login": pub,
  "POST /api/auth/logout": pub,
  "GET /api/auth/me": api(),
  "POST /api/auth/password": api(),
  "GET /api/me/messenger-links": api(),
  "POST /api/me/messenger-links/codes": api(),
  "DELETE /api/me/messenger-links/:channel": api(),
  // tickets
  "GET /api/tickets": api(),
  "POST /api/tickets": cmd,
  "GET /api/tickets/:id": api("admin", "operator", "agency", "uo", "contractor", "oversight"), // the supplier is not on this ticket
  "GET /api/tickets/:id/actions": api("admin", "operator", "agency", "uo", "contractor", "oversight"),
  "POST /api/tickets/:id/actions/:action": api("admin", "operator", "agency", "uo", "contractor", "oversight"),
  "POST /api/tickets/:id/attachments": cmd,
  "GET /api/tickets/:id/contact-attempts": apiHidden("operator"),
  "POST /api/tickets/:id/contact-attempts": cmd,
  "GET /api/attachments/:id": apiHidden("admin", "operator", "agency", "uo", "contractor", "oversight"),
  "POST /api/tickets/:id/call": { kind: "command", anon: "unauth", unavailable: true }, // no PBX configured here
  // directory
  "GET /api/categories": pub, // the resident web form lists them
  "PATCH /api/categories/:id": api("admin"),
  "PUT /api/calendar/:day": api("admin"),
  "GET /api/buildings": api(),
  "GET /api/buildings/:id/apartments": api(),
  "GET /api/residents": api("admin", "operator"),
  "GET /api/organisations": api(),
  "GET /api/organisations/:id/staff": api("admin", "agency", "uo"), // the УО's own staff
  "GET /api/users": api("admin", "agency"),
  "POST /api/users": api("admin", "agency"),
  "PATCH /api/users/:id": api("admin", "agency"),
  "POST /api/tokens": api("admin"),
  "GET /api/stream": api(),
  // telephony
  "GET /api/calls": api("admin", "operator", "oversight"),
  "GET /api/callbacks": api("admin", "operator", "oversight"),
  "GET /api/calls/ringing": api("admin", "operator"),
  "GET /api/telephony/link": api("admin", "operator", "oversight"),
  "GET /api/calls/:id": api("admin", "operator", "oversight"),
  "GET /api/calls/:id/pop": api("admin", "operator"),
  "GET /api/calls/:id/recording": api("admin", "operator", "oversight"),
  "POST /api/calls/:id/callback/dismiss": cmd,
  "POST /api/calls/:id/tickets": cmd,
  "POST /api/calls/:id/tickets/:ticketId/link": api("admin", "operator"),
  // outages
  "GET /api/outages": api(),
  "GET /api/outages/norms": api(),
  "GET /api/outages/duplicates": api(),
  "POST /api/outages": cmd,
  "GET /api/outages/:id": api(),
  "GET /api/outages/:id/tickets": api(),
  "PATCH /api/outages/:id": api("uo"), // only the organisation that registered it (here: the УО)
  "POST /api/outages/:id/restore": api("uo"),
  "POST /api/outages/:id/cancel": api("uo"),
  // notifications
  "GET /api/notifications/dead-letters": api("admin"),
  "GET /api/notifications/backlog": api("admin"),
  "POST /api/notifications/deliveries/:id/requeue": api("admin"),
  // reports
  "GET /api/reports": api(),
  "GET /api/reports/meta": api(),
  "GET /api/reports/ratings": api(),
  // Open311 client keys
  "GET /api/open311/clients": api("admin"),
  "POST /api/open311/clients": api("admin"),
  "POST /api/open311/clients/:id/deactivate": api("admin"),
  // onboarding: organisations apply without an account
  "GET /api/onboarding/buildings/template.csv": pub,
  "POST /api/onboarding/buildings/check": pub,
  "POST /api/onboarding/requests": pub,
  "POST /api/onboarding/requests/upload": pub,
  "GET /api/onboarding/invitations/:token": pub,
  "POST /api/onboarding/invitations/:token/accept": pub,
  "GET /api/onboarding/requests": api("admin", "agency"),
  "GET /api/onboarding/requests/:id": api("admin", "agency"),
  "POST /api/onboarding/requests/:id/approve": api("admin", "agency"),
  "POST /api/onboarding/requests/:id/reject": cmd,
  "POST /api/onboarding/organisations/:id/buildings/import": api("admin", "agency"),
  "POST /api/onboarding/change-requests": cmd,
  "GET /api/onboarding/change-requests": api(), // each organisation sees its own
  "GET /api/onboarding/change-requests/:id": api(),
  "POST /api/onboarding/change-requests/:id/review": cmd,
  // conflicts (§5)
  "GET /api/conflicts": api(),
  "POST /api/conflicts": api("operator", "agency", "uo", "contractor", "supplier"),
  "GET /api/conflicts/:id": api(),
  "POST /api/conflicts/:id/:action": api(),
  // personal data
  "GET /api/personal-data/consent-texts/:version": pub,
  "POST /api/personal-data/consent-texts": api("admin"),
  "POST /api/personal-data/residents/:id/consents": cmd,
  "GET /api/personal-data/residents/:id/export": api("admin", "operator"),
  "GET /api/personal-data/residents/:id/views": api("admin"),
  "POST /api/personal-data/residents/:id/anonymise": api("admin"),
  // panel: public pages and the resident web form
  "GET /static/:file": pub,
  "GET /": pub, // redirects to /login or /panel
  "GET /login": pub,
  "POST /login": pub,
  "POST /logout": pub,
  "GET /p/api/buildings": pub,
  "GET /p/api/buildings/:id/apartments": pub,
  "GET /zayavka": pub,
  "POST /zayavka": pub, // answers with a redirect back to the form and its message
  "GET /status": pub,
  "POST /status": pub,
  "POST /status/act": pub,
  // panel: organisations' connection form and staff invitations (no login)
  "GET /connect": pub,
  "GET /connect/sent": pub,
  "GET /connect/:kind": pub,
  "POST /connect/:kind": pub, // CSRF-checked form: a probe without the token answers 403
  "GET /invite/:token": pub,
  "POST /invite/:token": pub,
  // panel: staff pages
  "GET /panel": page(),
  "GET /panel/password": page(),
  "POST /panel/password": form,
  "GET /panel/tickets": page(),
  "GET /panel/fragments/tickets": page(),
  "GET /panel/callbacks": page("admin", "operator"),
  "GET /panel/tickets/new": page("admin", "operator"),
  "GET /panel/tickets/:id": page("admin", "operator", "agency", "uo", "contractor", "oversight"),
  "POST /panel/tickets": form,
  "POST /panel/tickets/:id/act/:action": form,
  "POST /panel/tickets/:id/attachments": form,
  "POST /panel/tickets/:id/attempts": form,
  "GET /panel/admin/categories": page("admin"),
  "GET /panel/admin/calendar": page("admin"),
  "GET /panel/admin/status": page("admin"),
  "GET /panel/users": page("admin", "agency"),
  "GET /panel/orgs": page("admin", "agency", "oversight"),
  "GET /panel/requests": page("admin", "agency"),
  "GET /panel/reports": page(),
  "GET /panel/ratings": page(),
  "GET /panel/conflicts": page(),
  "GET /panel/outages": page(),
};
