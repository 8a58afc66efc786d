// Deadlines of a ticket, computed from its category's norm.
// Minute and hour limits run on calendar time; calendar days are periods of 24 hours;
// working days are counted on the production calendar in the district's time zone and end
// at the close of the last working day.
import { DateTime } from "luxon";
import type { DeadlineUnit } from "../models/Category.ts";
import type { WorkCalendar } from "./calendar.ts";

export interface DeadlineNorm {
  deadlineValue: number;
  deadlineUnit: DeadlineUnit;
  deadlineBasis: string;
  emergency: boolean;
}

export interface Deadlines {
  deadlineAt: Date;
  deadlineBasis: string;
  /** Emergency: the crew must be dispatched by then (regulation §3.5.2, ПП 416 п. 13). */
  dispatchDeadlineAt: Date | null;
}

export function addWorkingDays(from: Date, days: number, cal: WorkCalendar, zone: string): Date {
  let d = DateTime.fromJSDate(from, { zone }).startOf("day");
  if (days === 0) {
    while (!cal.isWorkingDay(d.toISODate()!)) d = d.plus({ days: 1 });
    return d.endOf("day").toJSDate();
  }
  let left = days;
  while (left > 0) {
    d = d.plus({ days: 1 });
    if (cal.isWorkingDay(d.toISODate()!)) left--;
  }
  return d.endOf("day").toJSDate();
}

export function unitLabel(value: number, unit: DeadlineUnit): string {
  const plural = (n: number, one: string, few: string, many: string) => {
    const m10 = n % 10,
      m100 = n % 100;
    if (m10 === 1 && m100 !== 11) return one;
    if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
    return many;
  };
  switch (unit) {
    case "minutes":
      return `${value} ${plural(value, "минута", "минуты", "минут")}`;
    case "hours":
      return `${value} ${plural(value, "час", "часа", "часов")}`;
    case "calendar_days":
      return `${value} ${plural(value, "сутки", "суток", "суток")}`;
    case "working_days":
      return `${value} ${plural(value, "рабочий день", "рабочих дня", "рабочих дней")}`;
  }
}

export function computeDeadlines(
  norm: DeadlineNorm,
  registeredAt: Date,
  opts: { calendar: WorkCalendar; zone: string; emergency?: boolean; dispatchMinutes: number },
): Deadlines {
  const t = registeredAt.getTime();
  let deadlineAt: Date;
  switch (norm.deadlineUnit) {
    case "minutes":
      deadlineAt = new Date(t + norm.deadlineValue * 60_000);
      break;
    case "hours":
      deadlineAt = new Date(t + norm.deadlineValue * 3_600_000);
      break;
    case "calendar_days":
      deadlineAt = new Date(t + norm.deadlineValue * 86_400_000);
      break;
    case "working_days":
      deadlineAt = addWorkingDays(registeredAt, norm.deadlineValue, opts.calendar, opts.zone);
      break;
  }
  const emergency = norm.emergency || !!opts.emergency;
  return {
    deadlineAt,
    deadlineBasis: `${unitLabel(norm.deadlineValue, norm.deadlineUnit)} — ${norm.deadlineBasis}`,
    dispatchDeadlineAt: emergency ? new Date(t + opts.dispatchMinutes * 60_000) : null,
  };
}
