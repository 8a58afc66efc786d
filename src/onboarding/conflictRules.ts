// Conflict notices (§5): the filing deadline in working days and the table of steps.
import { DateTime } from "luxon";
import type { WorkCalendar } from "../deadlines/calendar.ts";
import type { ConflictStatus } from "../models/Conflict.ts";

export const NOTICE_WORKING_DAYS = 3;

/** Working days after the day the situation arose, up to and including the filing day. */
export function workingDaysSince(aroseOn: string, filedOn: string, cal: WorkCalendar): number {
  let d = DateTime.fromISO(aroseOn, { zone: "UTC" }).plus({ days: 1 });
  const end = DateTime.fromISO(filedOn, { zone: "UTC" });
  let n = 0;
  for (let guard = 0; d <= end && guard < 3700; guard++, d = d.plus({ days: 1 })) if (cal.isWorkingDay(d.toISODate()!)) n++;
  return n;
}

export interface ConflictStep {
  from: ConflictStatus[];
  to: ConflictStatus;
  ability: string;
  label: string;
  /** The text the step must carry (answer, reason, decision). */
  text: { field: string; required: boolean; message: string };
}

export const CONFLICT_STEPS = {
  answer: { from: ["notified"], to: "answered", ability: "conflict:answer", label: "ответ второй стороны", text: { field: "text", required: true, message: "изложите ответ по существу" } },
  resolve: { from: ["notified", "answered"], to: "resolved", ability: "conflict:resolve", label: "урегулирован", text: { field: "text", required: false, message: "" } },
  escalate: {
    from: ["notified", "answered"],
    to: "escalated",
    ability: "conflict:escalate",
    label: "передан в контрольно-надзорный орган",
    text: { field: "text", required: true, message: "укажите, чем не удовлетворяет ответ" },
  },
  decide: { from: ["escalated"], to: "decided", ability: "conflict:decide", label: "решение контрольно-надзорного органа", text: { field: "text", required: true, message: "изложите решение" } },
} satisfies Record<string, ConflictStep>;
export type ConflictAction = keyof typeof CONFLICT_STEPS;

export const CONFLICT_STATUS_LABEL: Record<ConflictStatus, string> = {
  notified: "направлено уведомление",
  answered: "получен ответ",
  resolved: "урегулирован",
  escalated: "у контрольно-надзорного органа",
  decided: "решён контрольно-надзорным органом",
};
