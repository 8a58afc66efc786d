// Importing this module declares every policy exactly once.
import "./ticket.ts";
import "./directory.ts";
import "./outage.ts";
import "./onboarding.ts";
import "./call.ts";
export { authorize, can } from "./index.ts";
