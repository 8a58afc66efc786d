import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { ProductionCalendar } from "../../src/deadlines/calendar.ts";
import { workingDaysSince } from "../../src/onboarding/conflictRules.ts";
import type { Platform } from "../../src/server.ts";
import { loginAs, startTestApp, type Client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeOrg, makeUser, makeWorld, uid, type World } from "../support/factories.ts";

let db: TestDb;
let app: Platform;
let w: World;
let uo: Client, contractor: Client, oversight: Client, stranger: Client;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
  w = await makeWorld();
  for (const o of [w.uo, w.contractor, w.oversight]) await o.update({ email: `org-${o.id}-${uid()}@pechora.ru` });
  uo = await loginAs(app.url, w.users.uo);
  contractor = await loginAs(app.url, w.users.contractor);
  oversight = await loginAs(app.url, w.users.oversight);
  stranger = await loginAs(app.url, await makeUser("supplier", await makeOrg("resource_supplier")));
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const today = () => DateTime.now().setZone("Europe/Moscow").toISODate()!;
const notice = (over: Record<string, unknown> = {}) => ({
  respondentOrgId: w.contractor.id,
  substance: "Подрядчик не выезжает на аварийные заявки в течение 30 минут",
  circumstances: "Заявки от 01.12 и 02.12: бригада прибыла через 3 часа",
  aroseOn: today(),
  negotiators: [{ fullName: "Иванов Иван Иванович", position: "Главный инженер", phones: ["8 (82142) 7-12-34"], email: "engineer@uk.ru" }],
  ...over,
});
const mailsTo = async (to: string) =>
  (await db.sequelize.query<{ subject: string }>("SELECT payload->>'subject' AS subject FROM outbox WHERE topic = 'email.requested' AND payload->>'to' = $1 ORDER BY id", { bind: [to], type: QueryTypes.SELECT })).map(
    (r) => r.subject,
  );

describe("the three working days of §5.2", () => {
  const cal = new ProductionCalendar(new Set(["2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"]), new Set(), new Set([2026, 2027]));
  it("counts working days after the day the situation arose, skipping holidays", () => {
    expect(workingDaysSince("2026-12-30", "2026-12-30", cal)).toBe(0);
    expect(workingDaysSince("2026-12-30", "2027-01-11", cal)).toBe(2);
    expect(workingDaysSince("2026-12-30", "2027-01-12", cal)).toBe(3);
    expect(workingDaysSince("2026-12-30", "2027-01-13", cal)).toBe(4);
    expect(workingDaysSince("2026-12-30", "2027-01-12", ProductionCalendar.empty())).toBe(9);
  });
});

describe("a conflict from notice to the oversight's decision", () => {
  it("goes through notice, answer, escalation and decision; everyone is told", async () => {
    const filed = await uo.post("/api/conflicts", notice());
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: "notified", late: false, warning: null, notifier: { id: w.uo.id }, respondent: { id: w.contractor.id }, actions: ["resolve", "escalate"] });
    const id = filed.body.id;
    expect(await mailsTo(w.contractor.email!)).toContain(`Уведомление о конфликтной ситуации № ${id}`);

    // outsiders see nothing; oversight sees nothing before escalation
    expect((await stranger.get(`/api/conflicts/${id}`)).status).toBe(404);
    expect((await oversight.get(`/api/conflicts/${id}`)).status).toBe(404);
    // only the respondent answers; only the notifier resolves or escalates
    expect((await uo.post(`/api/conflicts/${id}/answer`, { text: "сам себе" })).status).toBe(403);
    expect((await contractor.get(`/api/conflicts/${id}`)).body.actions).toEqual(["answer"]);
    expect((await contractor.post(`/api/conflicts/${id}/answer`, {})).body.error.id).toBe("validation_failed");
    const answered = await contractor.post(`/api/conflicts/${id}/answer`, { text: "Бригада была занята на другой аварии" });
    expect(answered.body).toMatchObject({ status: "answered", answer: "Бригада была занята на другой аварии" });
    expect(await mailsTo(w.uo.email!)).toContain(`Конфликтная ситуация № ${id}: ответ второй стороны`);
    expect((await contractor.post(`/api/conflicts/${id}/escalate`, { text: "x" })).status).toBe(403);

    const escalated = await uo.post(`/api/conflicts/${id}/escalate`, { text: "Ответ не объясняет задержку трёх заявок" });
    expect(escalated.body.status).toBe("escalated");
    expect(await mailsTo(w.oversight.email!)).toContain(`Конфликтная ситуация № ${id}: передан в контрольно-надзорный орган`);
    expect((await uo.post(`/api/conflicts/${id}/resolve`, {})).body.error.id).toBe("conflict_step_not_allowed");
    expect((await uo.post(`/api/conflicts/${id}/decide`, { text: "x" })).status).toBe(403);

    const seen = await oversight.get(`/api/conflicts/${id}`);
    expect(seen.body.actions).toEqual(["decide"]);
    const decided = await oversight.post(`/api/conflicts/${id}/decide`, { text: "Предписание ПО: обеспечить выезд в 30 минут" });
    expect(decided.body).toMatchObject({ status: "decided", decision: "Предписание ПО: обеспечить выезд в 30 минут", actions: [] });
    expect(decided.body.events.map((e: { action: string }) => e.action)).toEqual(["notify", "answer", "escalate", "decide"]);
    for (const org of [w.uo, w.contractor, w.oversight]) expect(await mailsTo(org.email!)).toContain(`Конфликтная ситуация № ${id}: решение контрольно-надзорного органа`);
    expect(await mailsTo("engineer@uk.ru")).toContain(`Конфликтная ситуация № ${id}: решение контрольно-надзорного органа`);
    expect((await oversight.get("/api/conflicts")).body.items.map((c: { id: number }) => c.id)).toContain(id);
    expect((await stranger.get("/api/conflicts")).body.items).toEqual([]);
  });

  it("warns when filed later than three working days and still records it", async () => {
    const aroseOn = DateTime.now().minus({ days: 30 }).toISODate()!;
    const res = await uo.post("/api/conflicts", notice({ aroseOn }));
    expect(res.status).toBe(201);
    expect(res.body.late).toBe(true);
    expect(res.body.workingDaysLate).toBeGreaterThan(10);
    expect(res.body.warning).toMatch(/^Уведомление направлено позже срока: регламент \(п\. 5\.2\)/);
  });

  it("refuses incomplete notices and notices against oneself", async () => {
    const res = await uo.post("/api/conflicts", notice({ negotiators: [{ fullName: "Иванов", position: "Инженер", phones: ["12"], email: "bad" }] }));
    expect(res.body.error.details.issues).toEqual([
      { field: "negotiators.0.phones.0", message: "номер телефона не распознан" },
      { field: "negotiators.0.email", message: "неверный адрес электронной почты" },
    ]);
    expect((await uo.post("/api/conflicts", notice({ respondentOrgId: w.uo.id }))).body.error.details.issues[0].field).toBe("respondentOrgId");
    expect((await uo.post("/api/conflicts", notice({ aroseOn: "2999-01-01" }))).body.error.details.issues[0].field).toBe("aroseOn");
    expect((await oversight.post("/api/conflicts", notice())).status).toBe(403);
  });
});
