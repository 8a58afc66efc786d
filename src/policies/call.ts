// Who may see the call log, the call-back list and recordings, and who may dial residents.
// Calls carry residents' phone numbers: only the call centre, admins and oversight see them.
import type { Actor } from "../context.ts";
import { allow } from "./index.ts";

const isCallCentre = (a: Actor) => a.kind === "user" && a.user.active && ((a.role === "operator" && a.orgType === "call_centre") || a.role === "admin");

allow("call:read", (a) => isCallCentre(a) || (a.kind === "user" && a.user.active && a.role === "oversight"));
allow("call:listen", (a) => isCallCentre(a) || (a.kind === "user" && a.user.active && a.role === "oversight"));
allow("call:work", (a) => isCallCentre(a));
allow("call:dial", (a) => a.kind === "user" && a.user.active && a.role === "operator" && a.orgType === "call_centre");
// The PBX link's state: reported by the telephony door (the system), read by whoever reads calls.
allow("pbx:report", (a) => a.kind === "system");
allow("pbx:read", (a) => isCallCentre(a) || (a.kind === "user" && a.user.active && a.role === "oversight"));
