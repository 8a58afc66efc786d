// Report periods and breakdowns: parsed from query strings with zod, checked for sense.
// Dates are local dates of the district (inclusive); the period is [from 00:00, to+1 00:00).
import { DateTime } from "luxon";
import { z } from "zod";
import { config } from "../config.ts";
import { errors } from "../errors.ts";
import { TICKET_CHANNELS } from "../models/Ticket.ts";

export const BREAKDOWNS = ["total", "uo", "executor", "district", "category", "building", "channel", "day", "week", "month"] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
export const TIME_BREAKDOWNS: readonly Breakdown[] = ["day", "week", "month"];

export const BREAKDOWN_LABELS: Record<Breakdown, string> = {
  total: "Итого",
  uo: "Управляющая организация",
  executor: "Исполнитель (ПО/РСО)",
  district: "Район города",
  category: "Вид работ",
  building: "Дом",
  channel: "Канал",
  day: "День",
  week: "Неделя",
  month: "Месяц",
};

/** The longest period a report may cover, and the most time buckets one chart may have. */
export const MAX_PERIOD_DAYS = 3 * 366;
export const MAX_BUCKETS = 400;

export interface Period {
  from: Date; // inclusive
  to: Date; // exclusive
  fromDate: string; // YYYY-MM-DD as given
  toDate: string; // YYYY-MM-DD as given (inclusive)
}

const dateStr = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "дата в формате ГГГГ-ММ-ДД");
const id = z.coerce.number().int().positive();

export const reportQuerySchema = z
  .object({
    from: dateStr,
    to: dateStr,
    by: z.enum(BREAKDOWNS, { message: `разбивка: одна из ${BREAKDOWNS.join(", ")}` }).default("total"),
    uoId: id.optional(),
    executorOrgId: id.optional(),
    categoryId: id.optional(),
    channel: z.enum(TICKET_CHANNELS, { message: `канал: один из ${TICKET_CHANNELS.join(", ")}` }).optional(),
    format: z.enum(["json", "csv", "xlsx"], { message: "формат: json, csv или xlsx" }).default("json"),
  })
  .strict();
export type ReportQuery = z.infer<typeof reportQuerySchema>;

export function parsePeriod(fromDate: string, toDate: string): Period {
  const zone = config().district.timezone;
  const f = DateTime.fromISO(fromDate, { zone });
  const t = DateTime.fromISO(toDate, { zone });
  if (!f.isValid) throw errors.validationFailed([{ field: "from", message: "такой даты не существует" }]);
  if (!t.isValid) throw errors.validationFailed([{ field: "to", message: "такой даты не существует" }]);
  if (t < f) throw errors.badRequest("Начало периода позже его конца: проверьте даты «с» и «по».", "period_inverted");
  const days = t.diff(f, "days").days + 1;
  if (days > MAX_PERIOD_DAYS)
    throw errors.badRequest(`Период слишком длинный: не более ${MAX_PERIOD_DAYS} дней (запрошено ${Math.round(days)}).`, "period_too_long");
  if (f.year < 2000 || t > DateTime.now().setZone(zone).plus({ years: 1 }))
    throw errors.badRequest("Период вне допустимых дат (с 2000 года и не более чем на год вперёд).", "period_out_of_range");
  return { from: f.toJSDate(), to: t.plus({ days: 1 }).toJSDate(), fromDate, toDate };
}

/** Number of time buckets a time breakdown would produce (to refuse enormous charts). */
export function bucketCount(p: Period, by: Breakdown): number {
  const zone = config().district.timezone;
  const f = DateTime.fromJSDate(p.from, { zone });
  const t = DateTime.fromJSDate(p.to, { zone });
  if (by === "day") return Math.ceil(t.diff(f, "days").days);
  if (by === "week") return Math.ceil(t.diff(f.startOf("week"), "weeks").weeks);
  if (by === "month") return Math.ceil(t.diff(f.startOf("month"), "months").months);
  return 1;
}

/** A month "YYYY-MM" as a period. */
export function parseMonth(month: string): Period {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw errors.validationFailed([{ field: "month", message: "месяц в формате ГГГГ-ММ" }]);
  const zone = config().district.timezone;
  const f = DateTime.fromISO(`${month}-01`, { zone });
  const last = f.endOf("month").toISODate()!;
  return parsePeriod(f.toISODate()!, last);
}
