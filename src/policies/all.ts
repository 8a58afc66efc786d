// Importing this module declares every policy exactly once.
import "./ticket.ts";
import "./directory.ts";
import "./outage.ts";
import "./onboarding.ts";
import "./call.ts";
import "./report.ts";
export { authorize, can } from "./index.ts";
