// Every scenario, in run order (P4 last: it fills the database with a district's worth of data).
import type { Scenario } from "../lib/types.ts";
import { p0 } from "./p0-api.ts";
import { p1 } from "./p1-intake.ts";
import { p2 } from "./p2-screenpop.ts";
import { p3 } from "./p3-broadcast.ts";
import { p4 } from "./p4-analytics.ts";

export const scenarios: Scenario[] = [p0, p1, p2, p3, p4];
