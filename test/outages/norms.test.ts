// ПП 354, Приложение 1: interruptions over the single and the monthly limit are flagged per
// building, with the legal reference; the figures come from config/reference/norms-ru.json.
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateNorms, normFlags, normLimits, type Interval } from "../../src/commands/outageNorms.ts";
import { Outage, OutageBuilding } from "../../src/models/Outage.ts";
import { setupTestDb } from "../support/db.ts";
import { makeBuilding, makeWorld, type World } from "../support/factories.ts";

const TZ = "Europe/Moscow";
const d = (s: string) => new Date(s);
const iv = (resource: Interval["resource"], start: string, end: string, buildingId = 1, outageId = 1): Interval => ({ outageId, buildingId, resource, start: d(start), end: d(end) });

describe("norm figures as data", () => {
  it("reads the limits and their legal references from the reference file", () => {
    const l = normLimits();
    expect(l.cold_water).toMatchObject({ single: 4, month: 8 });
    expect(l.hot_water).toMatchObject({ single: 4, month: 8 });
    expect(l.heating).toMatchObject({ single: 16, month: 24 });
    expect(l.heating!.note).toContain("8 ч");
    expect(l.electricity).toMatchObject({ single: 24, month: null });
    expect(l.gas).toMatchObject({ single: null, month: 4 });
    expect(l.cold_water!.act).toContain("№ 354");
  });
});

describe("evaluateNorms", () => {
  it("flags a single interruption over the limit and leaves one within it", () => {
    expect(evaluateNorms([iv("hot_water", "2026-03-02T06:00:00Z", "2026-03-02T10:00:00Z")], TZ)).toEqual([]);
    const f = evaluateNorms([iv("hot_water", "2026-03-02T06:00:00Z", "2026-03-02T11:30:00Z")], TZ);
    expect(f).toEqual([expect.objectContaining({ rule: "single", hours: 5.5, limitHours: 4, legalRef: expect.stringContaining("п. 4") })]);
  });

  it("adds up a month per building and resource", () => {
    const f = evaluateNorms(
      [
        iv("cold_water", "2026-03-02T06:00:00Z", "2026-03-02T09:00:00Z", 1, 1),
        iv("cold_water", "2026-03-10T06:00:00Z", "2026-03-10T09:00:00Z", 1, 2),
        iv("cold_water", "2026-03-20T06:00:00Z", "2026-03-20T09:00:00Z", 1, 3),
        // Another building and another month stay apart.
        iv("cold_water", "2026-03-20T06:00:00Z", "2026-03-20T09:00:00Z", 2, 3),
        iv("cold_water", "2026-04-20T06:00:00Z", "2026-04-20T09:00:00Z", 1, 4),
      ],
      TZ,
    );
    expect(f).toEqual([expect.objectContaining({ buildingId: 1, rule: "month", month: "2026-03", hours: 9, limitHours: 8, outageIds: [1, 2, 3] })]);
  });

  it("splits an interruption across months in the district's time zone", () => {
    // 20:00 UTC 31 March = 23:00 in Moscow: 1 h in March, 29 h in April.
    const f = evaluateNorms([iv("heating", "2026-03-31T20:00:00Z", "2026-04-02T02:00:00Z")], TZ);
    expect(f).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: "single", hours: 30, limitHours: 16 }),
        expect.objectContaining({ rule: "month", month: "2026-04", hours: 29, limitHours: 24 }),
      ]),
    );
    expect(f.some((x) => x.month === "2026-03")).toBe(false);
  });

  it("has no single limit for gas but a monthly one", () => {
    const f = evaluateNorms([iv("gas", "2026-05-01T06:00:00Z", "2026-05-01T11:00:00Z")], TZ);
    expect(f).toEqual([expect.objectContaining({ rule: "month", hours: 5, limitHours: 4 })]);
  });
});

describe("normFlags over registered outages", () => {
  let w: World;
  beforeAll(async () => {
    await setupTestDb();
    w = await makeWorld();
  });

  it("flags per building, ignores cancelled outages, and counts open ones until now", async () => {
    const a = (await makeBuilding(w.uo, 1)).building;
    const b = (await makeBuilding(w.uo, 1)).building;
    const mk = async (buildingIds: number[], start: string, end: string | null, extra: Partial<Outage> = {}) => {
      const o = await Outage.create({
        resource: "hot_water",
        kind: "planned",
        startsAt: d(start),
        expectedEndAt: d(end ?? "2026-06-01T12:00:00Z"),
        endedAt: end ? d(end) : null,
        cancelledAt: null,
        reason: "тест",
        orgId: w.uo.id,
        registeredByUserId: null,
        ...extra,
      });
      await OutageBuilding.bulkCreate(buildingIds.map((buildingId) => ({ outageId: o.id, buildingId })));
      return o;
    };
    await mk([a.id, b.id], "2026-06-01T06:00:00Z", "2026-06-01T09:00:00Z");
    await mk([a.id], "2026-06-05T06:00:00Z", "2026-06-05T09:00:00Z");
    await mk([a.id, b.id], "2026-06-07T06:00:00Z", "2026-06-07T16:00:00Z", { cancelledAt: d("2026-06-06T00:00:00Z") });
    const open = await mk([b.id], "2026-06-10T06:00:00Z", null, { expectedEndAt: d("2026-06-10T08:00:00Z") });
    const flags = await normFlags({ from: d("2026-06-01T00:00:00Z"), to: d("2026-07-01T00:00:00Z"), buildingIds: [a.id, b.id], now: d("2026-06-10T12:00:00Z") });
    expect(flags.filter((f) => f.buildingId === a.id)).toEqual([]); // 6 h in June: within 8 h
    const bFlags = flags.filter((f) => f.buildingId === b.id);
    // b: 3 h + the open one running 6 h by "now" → single (6 > 4) and month (9 > 8).
    expect(bFlags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: "single", hours: 6, outageIds: [open.id] }),
        expect.objectContaining({ rule: "month", hours: 9, month: "2026-06" }),
      ]),
    );
    expect(bFlags).toHaveLength(2);
  });
});
