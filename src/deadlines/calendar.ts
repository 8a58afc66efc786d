// The Russian production calendar: which days are working days.
// Exceptions to the Mon–Fri week come from the calendar_days table (loaded from
// config/reference/production-calendar-ru.json); a year without data falls back to Mon–Fri.
import { DateTime } from "luxon";
import { QueryTypes, type Sequelize, type Transaction } from "sequelize";
import { logger } from "../logger.ts";

export interface WorkCalendar {
  isWorkingDay(isoDate: string): boolean;
  hasYear(year: number): boolean;
}

export class ProductionCalendar implements WorkCalendar {
  private warned = new Set<number>();
  constructor(
    private readonly off: Set<string>,
    private readonly work: Set<string>,
    private readonly years: Set<number>,
  ) {}

  static empty(): ProductionCalendar {
    return new ProductionCalendar(new Set(), new Set(), new Set());
  }

  hasYear(year: number): boolean {
    return this.years.has(year);
  }

  isWorkingDay(isoDate: string): boolean {
    const d = DateTime.fromISO(isoDate, { zone: "UTC" });
    if (!this.years.has(d.year) && !this.warned.has(d.year)) {
      this.warned.add(d.year);
      logger.warn({ year: d.year }, "no production calendar for this year: counting Monday to Friday as working days");
    }
    if (this.off.has(isoDate)) return false;
    if (this.work.has(isoDate)) return true;
    return d.weekday <= 5;
  }
}

let cached: { at: number; cal: Promise<ProductionCalendar> } | undefined;

/**
 * The calendar from the database, cached for a minute (it changes once a year). Concurrent callers
 * share one load; a caller inside a transaction passes it, so the load never waits for a second
 * pool connection while the transaction holds one (under load that would starve the pool).
 */
export function loadCalendar(sequelize: Sequelize, fresh = false, transaction?: Transaction): Promise<ProductionCalendar> {
  if (!fresh && cached && Date.now() - cached.at < 60_000) return cached.cal;
  const entry = { at: Date.now(), cal: readCalendar(sequelize, transaction) };
  cached = entry;
  entry.cal.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return entry.cal;
}

async function readCalendar(sequelize: Sequelize, transaction?: Transaction): Promise<ProductionCalendar> {
  const days = await sequelize.query<{ day: string; kind: string }>("SELECT to_char(day, 'YYYY-MM-DD') AS day, kind FROM calendar_days", {
    type: QueryTypes.SELECT,
    transaction,
  });
  const years = await sequelize.query<{ year: number }>("SELECT year FROM calendar_years", { type: QueryTypes.SELECT, transaction });
  return new ProductionCalendar(
    new Set(days.filter((d) => d.kind === "off").map((d) => d.day)),
    // A shortened pre-holiday day is a working day, even when it is a transferred Saturday.
    new Set(days.filter((d) => d.kind === "work" || d.kind === "short").map((d) => d.day)),
    new Set(years.map((y) => y.year)),
  );
}

export function invalidateCalendar(): void {
  cached = undefined;
}
