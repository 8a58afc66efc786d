// The УО rating formula (docs/rating.md) on hand-made cases, and the monthly ranking on real rows.
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sequelize } from "../../src/db/sequelize.ts";
import { parseMonth } from "../../src/reports/period.ts";
import { computeRatings, ratingScore, type RatingInputs } from "../../src/reports/rating.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeOrg, makeUser, system } from "../support/factories.ts";
import { Building } from "../../src/models/Building.ts";
import { OrganisationLink } from "../../src/models/Organisation.ts";

let db: TestDb;
beforeAll(async () => {
  db = await setupTestDb();
});
afterAll(() => db.close());

const none = { overdue: 0, reopened: 0, unconfirmed: 0, dissatisfied: 0, emergencyLate: 0 };
const inputs = (apartments: number, f: Partial<RatingInputs["failures"]> = {}): RatingInputs => ({ apartments, failures: { ...none, ...f } });

describe("rating formula, hand-made cases", () => {
  it("a УО with no failures scores 100; unknown housing stock is not rated", () => {
    expect(ratingScore(inputs(500)).score).toBe(100);
    expect(ratingScore(inputs(0, { overdue: 1 })).score).toBeNull();
  });

  it("a small УО with one overdue ticket ranks below a large УО with ten", () => {
    const small = ratingScore(inputs(100, { overdue: 1 })); // 10 per 1,000 apartments: the timeliness component falls to 0
    const large = ratingScore(inputs(10_000, { overdue: 10 })); // 1 per 1,000: the component keeps 0.9
    expect(small.components.find((c) => c.id === "timeliness")).toMatchObject({ failures: 1, per1000: 10, score: 0 });
    expect(large.components.find((c) => c.id === "timeliness")).toMatchObject({ failures: 10, per1000: 1, score: 0.9 });
    expect(small.score).toBe(65);
    expect(large.score).toBe(96.5);
    expect(large.score!).toBeGreaterThan(small.score!);
  });

  it("equal failures per 1,000 apartments give equal scores whatever the size", () => {
    expect(ratingScore(inputs(200, { overdue: 1, reopened: 1 })).score).toBe(ratingScore(inputs(20_000, { overdue: 100, reopened: 100 })).score);
  });

  it("every component with its weight and tolerance", () => {
    const r = ratingScore(inputs(2000, { overdue: 4, reopened: 2, unconfirmed: 10, dissatisfied: 0, emergencyLate: 1 }));
    expect(r.components.map((c) => [c.id, c.per1000, c.score])).toEqual([
      ["timeliness", 2, 0.8],
      ["reopens", 1, 0.8],
      ["confirmation", 5, 0.5],
      ["satisfaction", 0, 1],
      ["emergency", 0.5, 0.75],
    ]);
    // 100 × (0.35·0.8 + 0.15·0.8 + 0.15·0.5 + 0.15·1 + 0.20·0.75)
    expect(r.score).toBe(77.5);
    expect(ratingScore(inputs(100, { emergencyLate: 5, overdue: 50 })).score).toBe(45); // components never go below 0
  });
});

describe("monthly ranking from the database", () => {
  it("counts apartments served and failures of the month, and ranks by score", async () => {
    const month = DateTime.now().setZone("Europe/Moscow").toFormat("yyyy-MM");
    const cc = await makeOrg("call_centre");
    const op = actorOf(await makeUser("operator", cc));
    const small = await makeOrg("management_company", "УО Малая");
    const large = await makeOrg("management_company", "УО Большая");
    const po = await makeOrg("contractor");
    const poUser = actorOf(await makeUser("contractor", po));
    const uoUsers = { [small.id]: actorOf(await makeUser("uo", small)), [large.id]: actorOf(await makeUser("uo", large)) };
    const buildings: Record<number, Building> = {};
    for (const [uo, apartments] of [[small, 40], [large, 4000]] as const) {
      await OrganisationLink.create({ uoId: uo.id, providerId: po.id });
      const b = await Building.create({ settlement: "г. Печора", cityDistrict: null, street: `ул. Рейтинговая ${uo.id}`, house: "1", uoId: uo.id, latitude: null, longitude: null });
      await sequelize().query(`INSERT INTO apartments (building_id, number) SELECT :b, g::text FROM generate_series(1, :n) g`, { replacements: { b: b.id, n: apartments } });
      buildings[uo.id] = b;
    }
    const overdueTicket = async (uoId: number) => {
      const t = await createTicket(op, { buildingId: buildings[uoId]!.id, contactPhone: "+79120000001" });
      await sequelize().query(`UPDATE tickets SET deadline_at = now() - interval '1 minute' WHERE id = :id`, { replacements: { id: t.id } });
    };
    const doneOnTime = async (uoId: number) => {
      const t = await createTicket(op, { buildingId: buildings[uoId]!.id, contactPhone: "+79120000002" });
      await act(uoUsers[uoId]!, t.id, "assign", { executorOrgId: po.id });
      await act(poUser, t.id, "accept");
      const wo = await addWorkOrder(poUser, t.id);
      await act(poUser, t.id, "report", { worksDone: "Сделано", workOrderAttachmentId: wo.id });
      await act(uoUsers[uoId]!, t.id, "verify");
      await act(system, t.id, "close_no_answer");
    };
    await overdueTicket(small.id);
    for (let i = 0; i < 4; i++) await overdueTicket(large.id);
    await doneOnTime(large.id);

    const list = await computeRatings(parseMonth(month), [small.id, large.id]);
    expect(list.map((x) => [x.name, x.apartments, x.buildings])).toEqual([
      ["УО Большая", 4000, 1],
      ["УО Малая", 40, 1],
    ]);
    const [l, s] = list;
    expect(l!.rating.components.find((c) => c.id === "timeliness")).toMatchObject({ failures: 4, per1000: 1, score: 0.9 });
    expect(l!.rating.components.find((c) => c.id === "confirmation")).toMatchObject({ failures: 1, per1000: 0.25, score: 0.975 });
    expect(l!.rating.score).toBe(96.1); // 100 − 35·0.1 − 15·0.025
    expect(s!.rating.components.find((c) => c.id === "timeliness")).toMatchObject({ failures: 1, per1000: 25, score: 0 });
    expect(s!.rating.score).toBe(65);
    expect(l!.metrics.received).toBe(5);
    expect([l!.rank, s!.rank]).toEqual([1, 2]);
  });
});
