// Who may see reports and ratings, and which tickets a report counts for them.
// Agency, oversight, administrators and the call centre see the whole district; a УО sees the
// tickets of its buildings; a ПО/РСО sees the tickets it executes. Open data has its own
// (aggregate-only, public) routes and never goes through these rules.
import type { Actor } from "../context.ts";
import type { ReportScope } from "../reports/metrics.ts";
import { allow } from "./index.ts";

const DISTRICT_WIDE = ["admin", "agency", "oversight", "operator"];

export function reportScope(actor: Actor): ReportScope {
  if (actor.kind === "system") return { kind: "all" };
  if (actor.kind !== "user" || !actor.user.active) return { kind: "none" };
  if (DISTRICT_WIDE.includes(actor.role)) return { kind: "all" };
  if (actor.orgId === null) return { kind: "none" };
  if (actor.role === "uo") return { kind: "uo", orgId: actor.orgId };
  if (actor.role === "contractor" || actor.role === "supplier") return { kind: "executor", orgId: actor.orgId };
  return { kind: "none" };
}

allow("report:view", (a) => reportScope(a).kind !== "none");
allow("rating:view", (a) => a.kind === "user" && a.user.active);
allow("open311:manage", (a) => a.kind === "user" && a.user.active && a.role === "admin");
