// Reference data loaded on first start: categories with deadlines and the production calendar.
// Categories are added when missing and never overwritten (the administrator may have changed
// a deadline); the calendar is reference data and is refreshed from the shipped file.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Sequelize } from "sequelize";
import { rootDir } from "../config.ts";
import { invalidateCalendar } from "../deadlines/calendar.ts";

const read = (f: string) => JSON.parse(readFileSync(path.join(rootDir, "config", "reference", f), "utf8"));

interface CategorySeed {
  code: string;
  name: string;
  group: string;
  resource: string | null;
  emergency: boolean;
  value: number;
  unit: string;
  basis: string;
  verified: boolean;
  normRef: string | null;
}

interface CalendarYear {
  decree: string;
  verified: boolean;
  holidays: string[];
  workingWeekends: string[];
  shortDays: string[];
}

export async function seedReference(db: Sequelize): Promise<{ categories: number; days: number }> {
  const cats: CategorySeed[] = read("categories.json").items;
  let added = 0;
  for (const [i, c] of cats.entries()) {
    const [, n] = (await db.query(
      `INSERT INTO categories (code, name, group_name, resource, emergency, deadline_value, deadline_unit, deadline_basis, deadline_verified, norm_ref, sort_order)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (code) DO NOTHING`,
      { bind: [c.code, c.name, c.group, c.resource, c.emergency, c.value, c.unit, c.basis, c.verified, c.normRef, i * 10] },
    )) as [unknown, number];
    added += n ?? 0;
  }
  const cal: Record<string, CalendarYear> = read("production-calendar-ru.json").years;
  let days = 0;
  await db.transaction(async (transaction) => {
    for (const [year, y] of Object.entries(cal)) {
      await db.query(
        `INSERT INTO calendar_years (year, basis, verified) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET basis = $2, verified = $3`,
        { bind: [Number(year), y.decree, y.verified], transaction },
      );
      const rows: Array<[string, string]> = [
        ...y.holidays.map((d) => [d, "off"] as [string, string]),
        ...y.workingWeekends.map((d) => [d, "work"] as [string, string]),
        ...y.shortDays.map((d) => [d, "short"] as [string, string]),
      ];
      for (const [day, kind] of rows) {
        await db.query(`INSERT INTO calendar_days (day, kind) VALUES ($1, $2) ON CONFLICT (day) DO UPDATE SET kind = $2`, { bind: [day, kind], transaction });
        days++;
      }
    }
  });
  invalidateCalendar();
  return { categories: added, days };
}
