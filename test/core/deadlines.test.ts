// Deadlines across weekends and Russian holidays, on the shipped production calendar.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { loadCalendar, ProductionCalendar } from "../../src/deadlines/calendar.ts";
import { addWorkingDays, computeDeadlines } from "../../src/deadlines/compute.ts";

let db: TestDb;
let cal: ProductionCalendar;
beforeAll(async () => {
  db = await setupTestDb();
  cal = await loadCalendar(db.sequelize, true);
});
afterAll(() => db.close());

const MSK = "Europe/Moscow";
const msk = (iso: string) => new Date(`${iso}+03:00`);
const norm = (deadlineValue: number, deadlineUnit: "minutes" | "hours" | "calendar_days" | "working_days", emergency = false) => ({
  deadlineValue,
  deadlineUnit,
  deadlineBasis: "тест",
  emergency,
});

describe("production calendar", () => {
  it("knows holidays, transferred days off and working Saturdays", () => {
    expect(cal.isWorkingDay("2026-01-09")).toBe(false); // transferred day off (ПП № 1466)
    expect(cal.isWorkingDay("2026-03-09")).toBe(false); // 8 March fell on Sunday
    expect(cal.isWorkingDay("2026-12-31")).toBe(false);
    expect(cal.isWorkingDay("2025-11-01")).toBe(true); // working Saturday (ПП № 1335)
    expect(cal.isWorkingDay("2026-03-10")).toBe(true);
    expect(cal.isWorkingDay("2026-03-14")).toBe(false); // ordinary Saturday
    expect(cal.hasYear(2027)).toBe(true);
  });

  it("falls back to Monday–Friday for a year without data", () => {
    expect(cal.hasYear(2031)).toBe(false);
    expect(cal.isWorkingDay("2031-01-01")).toBe(true); // Wednesday, no data: counted as working
    expect(cal.isWorkingDay("2031-01-04")).toBe(false); // Saturday
  });
});

describe("working-day deadlines", () => {
  it("skip a weekend", () => {
    // Friday 13 Nov 2026 + 1 working day → Monday 16 Nov, end of day Moscow time.
    expect(addWorkingDays(msk("2026-11-13T10:00:00"), 1, cal, MSK).toISOString()).toBe("2026-11-16T20:59:59.999Z");
  });
  it("skip 8 March and its transferred Monday", () => {
    // Friday 6 March 2026 + 1 → Sat 7, Sun 8 (holiday), Mon 9 (day off) → Tuesday 10 March.
    expect(addWorkingDays(msk("2026-03-06T12:00:00"), 1, cal, MSK).toISOString()).toBe("2026-03-10T20:59:59.999Z");
  });
  it("count a working Saturday", () => {
    // Friday 31 Oct 2025 + 1 → Saturday 1 Nov 2025 is a working day.
    expect(addWorkingDays(msk("2025-10-31T09:00:00"), 1, cal, MSK).toISOString()).toBe("2025-11-01T20:59:59.999Z");
  });
  it("cross the New Year holidays into the next year's calendar", () => {
    // Wed 30 Dec 2026 + 1 → 31 Dec off, 1–8 Jan 2027 holidays, 9–10 Jan weekend → Monday 11 Jan 2027.
    expect(addWorkingDays(msk("2026-12-30T15:00:00"), 1, cal, MSK).toISOString()).toBe("2027-01-11T20:59:59.999Z");
  });
  it("count in the district's zone, not UTC", () => {
    // 23:30 Friday Moscow is still Friday: +1 working day → Monday, although it is 20:30 UTC.
    expect(addWorkingDays(msk("2026-11-13T23:30:00"), 1, cal, MSK).toISOString()).toBe("2026-11-16T20:59:59.999Z");
    // 00:30 Saturday Moscow (21:30 UTC Friday) → +1 → Monday as well.
    expect(addWorkingDays(new Date("2026-11-13T21:30:00Z"), 1, cal, MSK).toISOString()).toBe("2026-11-16T20:59:59.999Z");
  });
});

describe("computeDeadlines", () => {
  const base = { zone: MSK, dispatchMinutes: 30 };
  it("hour limits run on calendar time, even over a holiday", () => {
    const d = computeDeadlines(norm(2, "hours"), new Date("2026-12-31T22:00:00Z"), { ...base, calendar: cal });
    expect(d.deadlineAt.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(d.deadlineBasis).toMatch(/^2 часа — тест$/);
    expect(d.dispatchDeadlineAt).toBeNull();
  });
  it("emergencies get a 30-minute dispatch deadline", () => {
    const at = new Date("2026-03-08T10:00:00Z");
    const d = computeDeadlines(norm(3, "calendar_days", true), at, { ...base, calendar: cal });
    expect(d.dispatchDeadlineAt!.toISOString()).toBe("2026-03-08T10:30:00.000Z");
    expect(d.deadlineAt.toISOString()).toBe("2026-03-11T10:00:00.000Z");
    expect(d.deadlineBasis).toContain("3 суток");
  });
  it("a ticket marked emergency by the resident also gets the dispatch deadline", () => {
    const d = computeDeadlines(norm(1, "calendar_days"), new Date("2026-05-01T00:00:00Z"), { ...base, calendar: cal, emergency: true });
    expect(d.dispatchDeadlineAt!.toISOString()).toBe("2026-05-01T00:30:00.000Z");
  });
  it("working days in the basis text", () => {
    const d = computeDeadlines(norm(5, "working_days"), msk("2026-05-08T10:00:00"), { ...base, calendar: cal });
    // Fri 8 May (short day) → 9 Sat (holiday), 10 Sun, 11 Mon (day off) → 12,13,14,15,18 May.
    expect(d.deadlineAt.toISOString()).toBe("2026-05-18T20:59:59.999Z");
    expect(d.deadlineBasis).toMatch(/^5 рабочих дней/);
  });
});
