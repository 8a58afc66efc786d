// Importing this module declares every policy exactly once.
import "./ticket.ts";
import "./directory.ts";
export { authorize, can } from "./index.ts";
