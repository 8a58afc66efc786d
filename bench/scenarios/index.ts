// Every scenario, in run order.
import type { Scenario } from "../lib/types.ts";
import { p0 } from "./p0-api.ts";

export const scenarios: Scenario[] = [p0];
