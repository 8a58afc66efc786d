import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { residentActor } from "../../src/context.ts";
import { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import { ContactAttempt, Ticket } from "../../src/models/Ticket.ts";
import { PersonalDataView, ResidentConsent } from "../../src/models/PersonalData.ts";
import { runRetention } from "../../src/onboarding/retention.ts";
import type { Platform } from "../../src/server.ts";
import { loginAs, startTestApp, type Client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeResident, makeUser, makeOrg, makeWorld, uid, type World } from "../support/factories.ts";

let db: TestDb;
let app: Platform;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
  w = await makeWorld();
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

async function closedTicket(resident: Resident, description: string, rating: number) {
  const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, apartmentId: w.apartments[0]!.id, residentId: resident.id, description });
  await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
  await act(actorOf(w.users.contractor), t.id, "accept");
  const wo = await addWorkOrder(actorOf(w.users.contractor), t.id);
  await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Заменена прокладка", workOrderAttachmentId: wo.id });
  await act(actorOf(w.users.uo), t.id, "verify");
  await act(residentActor(resident), t.id, "confirm", { rating });
  return t;
}
const closedDaysAgo = (ticketId: number, days: number) =>
  db.sequelize.query("UPDATE tickets SET closed_at = now() - make_interval(days => $2) WHERE id = $1", { bind: [ticketId, days] });

/** What the reports count for this УО: totals, by category, by status, ratings, times. */
const reportFigures = () =>
  db.sequelize.query(
    `SELECT category_id, status, closure_kind, count(*)::int AS n, avg(rating)::float AS rating, sum(extract(epoch FROM closed_at - created_at))::bigint AS seconds, count(DISTINCT resident_id)::int AS residents
       FROM tickets WHERE uo_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    { bind: [w.uo.id], type: QueryTypes.SELECT },
  );

describe("access log of personal data", () => {
  it("logs who opened which resident's ticket card and who found whom by phone", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: w.resident.id });
    const uo = await loginAs(app.url, w.users.uo);
    expect((await uo.get(`/api/tickets/${t.id}`)).status).toBe(200);
    const stranger = await loginAs(app.url, await makeUser("contractor", await makeOrg("contractor")));
    expect((await stranger.get(`/api/tickets/${t.id}`)).status).toBe(404);
    const op = await loginAs(app.url, w.users.operator);
    expect((await op.get(`/api/residents?phone=${encodeURIComponent(w.resident.phone!)}`)).body.items).toHaveLength(1);
    const views = await PersonalDataView.findAll({ where: { residentId: w.resident.id }, order: [["id", "ASC"]] });
    expect(views.map((v) => [v.userId, v.ticketId, v.source])).toEqual([
      [w.users.uo.id, t.id, "ticket_card"],
      [w.users.operator.id, null, "resident_search"],
    ]);
    const admin = await loginAs(app.url, w.users.admin);
    expect((await admin.get(`/api/personal-data/residents/${w.resident.id}/views`)).body.items).toHaveLength(2);
    expect((await op.get(`/api/personal-data/residents/${w.resident.id}/views`)).status).toBe(403);
  });
});

describe("consent and export", () => {
  it("records consents with their text, and exports everything held about a resident", async () => {
    const admin = await loginAs(app.url, w.users.admin);
    const op = await loginAs(app.url, w.users.operator);
    const version = `v-${uid()}`;
    const text = "Я даю согласие на обработку моих персональных данных (ФИО, телефон, адрес) для рассмотрения заявок.";
    expect((await admin.post("/api/personal-data/consent-texts", { version, text })).status).toBe(201);
    expect((await op.post("/api/personal-data/consent-texts", { version: `${version}b`, text })).status).toBe(403);
    const r = await makeResident(w.apartments[1]);
    expect((await op.post(`/api/personal-data/residents/${r.id}/consents`, { version: "nope", channel: "phone" })).status).toBe(400);
    expect((await op.post(`/api/personal-data/residents/${r.id}/consents`, { version, channel: "phone" })).status).toBe(201);
    await r.reload();
    expect(r.consentVersion).toBe(version);
    expect(await ResidentConsent.count({ where: { residentId: r.id, recordedByUserId: w.users.operator.id } })).toBe(1);

    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: r.id, description: "Нет света в подъезде" });
    const exp = await op.get(`/api/personal-data/residents/${r.id}/export`);
    expect(exp.status).toBe(200);
    expect(exp.body.resident).toMatchObject({ id: r.id, fullName: r.fullName, phone: r.phone, consentVersion: version });
    expect(exp.body.apartments).toHaveLength(1);
    expect(exp.body.tickets.map((x: { id: number }) => x.id)).toEqual([t.id]);
    expect(exp.body.tickets[0].history.map((h: { action: string }) => h.action)).toEqual(["create", "route"]);
    expect(exp.body.consents).toEqual([expect.objectContaining({ version, given: true, channel: "phone", text })]);
    const uo = await loginAs(app.url, w.users.uo);
    expect((await uo.get(`/api/personal-data/residents/${r.id}/export`)).status).toBe(403);
    expect(await PersonalDataView.count({ where: { residentId: r.id, source: "export" } })).toBe(1);
  });
});

describe("retention", () => {
  it("anonymises residents long after their last ticket closed, leaving report figures unchanged", async () => {
    const old = await makeResident(w.apartments[2]);
    const oldPhone = old.phone!;
    const t1 = await closedTicket(old, `Течёт кран, перезвоните на 8 912 345-67-89 после 18:00 (${uid()})`, 4);
    const t2 = await closedTicket(old, "Не работает домофон", 2);
    await ContactAttempt.create({ ticketId: t1.id, userId: w.users.operator.id, phone: oldPhone, outcome: "answered", note: "Говорил Иван", callRef: null });
    await MessengerIdentity.create({ channel: "telegram", externalId: `tg${uid()}`, residentId: old.id, userId: null, username: "ivan_p", blockedAt: null });
    await closedDaysAgo(t1.id, 500);
    await closedDaysAgo(t2.id, 400);

    const recent = await makeResident();
    const t3 = await closedTicket(recent, "Засор в канализации", 5);
    await closedDaysAgo(t3.id, 30);
    const busy = await makeResident();
    const t4 = await closedTicket(busy, "Сосулька над входом", 5);
    await closedDaysAgo(t4.id, 500);
    await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, residentId: busy.id, description: "Снова сосулька" });

    // other test files share the database: the run is limited to this test's residents
    const mine = [old.id, recent.id, busy.id];
    const before = await reportFigures();
    const res = await runRetention({ retentionDays: 365, residentIds: mine });
    expect(res.anonymised).toBe(1);
    expect(await reportFigures()).toEqual(before);

    await old.reload();
    expect(old).toMatchObject({ fullName: null, phone: null, email: null });
    expect(old.anonymisedAt).toBeInstanceOf(Date);
    const tickets = await Ticket.findAll({ where: { residentId: old.id }, order: [["id", "ASC"]] });
    expect(tickets.map((t) => [t.contactName, t.contactPhone, t.rating, t.status])).toEqual([
      [null, null, 4, "closed"],
      [null, null, 2, "closed"],
    ]);
    expect(tickets[0]!.description).toMatch(/^Течёт кран, перезвоните на \[удалено\] после 18:00/);
    expect((await ContactAttempt.findOne({ where: { ticketId: t1.id } }))!.phone).toBeNull();
    const ident = (await MessengerIdentity.findOne({ where: { residentId: old.id } }))!;
    expect(ident.externalId).toBe(`anon-${ident.id}`);
    expect(ident.username).toBeNull();
    expect(await Resident.count({ where: { phone: oldPhone } })).toBe(0);

    await recent.reload();
    await busy.reload();
    expect(recent.fullName).not.toBeNull();
    expect(recent.anonymisedAt).toBeNull();
    expect(busy.phone).not.toBeNull();

    expect((await runRetention({ retentionDays: 365, residentIds: mine })).anonymised).toBe(0);
    // with a shorter retention the recently closed one is due too, the one with an open ticket never
    expect((await runRetention({ retentionDays: 10, residentIds: mine })).anonymised).toBe(1);
    expect((await Resident.findByPk(busy.id))!.anonymisedAt).toBeNull();
  });
});
