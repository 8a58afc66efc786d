// Reference data and directories: buildings, residents, organisations, users, categories.
import type { Actor } from "../context.ts";
import { allow } from "./index.ts";

const activeStaff = (a: Actor) => a.kind === "user" && a.user.active;
const roleIn = (a: Actor, roles: string[]) => activeStaff(a) && roles.includes(a.role);

allow("category:list", () => true);
allow("category:manage", (a) => roleIn(a, ["admin"]));
allow("calendar:manage", (a) => roleIn(a, ["admin"]));
allow("building:list", (a) => activeStaff(a));
allow("building:manage", (a) => roleIn(a, ["admin", "agency"]));
allow("resident:search", (a) => roleIn(a, ["operator", "admin"]));
allow("resident:manage", (a) => roleIn(a, ["operator", "admin"]));
allow("organisation:list", (a) => activeStaff(a));
allow("organisation:manage", (a) => roleIn(a, ["admin", "agency"]));
allow("user:list", (a) => roleIn(a, ["admin", "agency"]));
allow("user:manage", (a) => roleIn(a, ["admin", "agency"]));
allow("token:manage", (a) => roleIn(a, ["admin"]));
