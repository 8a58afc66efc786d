import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueryTypes } from "sequelize";
import { Apartment, Building } from "../../src/models/Building.ts";
import { ChangeRequest, ConnectionRequest } from "../../src/models/ConnectionRequest.ts";
import { Organisation, OrganisationLink } from "../../src/models/Organisation.ts";
import { User } from "../../src/models/User.ts";
import type { Platform } from "../../src/server.ts";
import { client, loginAs, type Client } from "../support/app.ts";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { makeOrg, makeUser, uid } from "../support/factories.ts";
import { startTestApp } from "../support/app.ts";
import { buildingCsv, randomInn, validCard } from "./fixtures.ts";
import { inviteToken, mailsTo, uoRequest } from "./support.ts";

let db: TestDb;
let app: Platform;
let agency: Client;
let contractor: Organisation;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp();
  agency = await loginAs(app.url, await makeUser("agency", await makeOrg("agency")));
  contractor = await makeOrg("contractor", `ООО «Подрядчик ${uid()}»`);
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

const street = () => `ул. Заявочная ${uid()}`;
const rowsOf = (s: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ "Населенный пункт": "г. Печора", Улица: s, Дом: "5", Квартира: String(i + 1), "Лицевой счет": `R${uid()}${i}`, Этаж: 1, Подъезд: 1 }));

describe("connection request of a УО", () => {
  it("names wrong requisites next to their fields and stores nothing", async () => {
    const body = uoRequest({ card: validCard({ inn: "7707083894", correspondentAccount: "30101810500000000225" }), buildings: rowsOf(street(), 1) });
    const res = await client(app.url).post("/api/onboarding/requests", body);
    expect(res.status).toBe(400);
    expect(res.body.error.id).toBe("validation_failed");
    expect(res.body.error.details.issues).toEqual(
      expect.arrayContaining([
        { field: "card.inn", message: "неверное контрольное число ИНН" },
        { field: "card.correspondentAccount", message: "корреспондентский счёт не соответствует БИК (неверный контрольный ключ)" },
      ]),
    );
    expect(await ConnectionRequest.count({ where: { requesterEmail: body.requesterEmail } })).toBe(0);
  });

  it("is approved: organisation, links, buildings, users who log in through their invitation", async () => {
    const s = street();
    const body = uoRequest({ served: [{ name: contractor.name }, { name: "ООО «Неизвестная»" }] });
    const form = new FormData();
    form.append("request", JSON.stringify(body));
    form.append("buildings", new Blob([buildingCsv(s, 4, `C${uid()}`, "5")]), "doma.csv");
    const sent = await client(app.url).request("POST", "/api/onboarding/requests/upload", form);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ status: "submitted", apartments: 4 });
    expect((await mailsTo(body.requesterEmail))[0]!.subject).toMatch(/принята/);

    const list = await agency.get("/api/onboarding/requests?status=submitted");
    expect(list.body.items.map((i: { id: number }) => i.id)).toContain(sent.body.id);
    const approved = await agency.post(`/api/onboarding/requests/${sent.body.id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe("approved");
    expect(approved.body.result.unmatchedServed).toEqual(["ООО «Неизвестная»"]);
    const org = (await Organisation.findByPk(approved.body.organisationId))!;
    expect(org).toMatchObject({ type: "management_company", inn: body.card.inn, kpp: body.card.kpp, shortName: body.card.shortName, dispatchPhone: "+79121002030" });
    expect(await OrganisationLink.count({ where: { uoId: org.id, providerId: contractor.id } })).toBe(1);
    const building = (await Building.findOne({ where: { street: s } }))!;
    expect(building.uoId).toBe(org.id);
    expect(await Apartment.count({ where: { buildingId: building.id } })).toBe(4);
    expect((await mailsTo(body.requesterEmail)).map((m) => m.subject)).toContain(`Заявка № ${sent.body.id} одобрена`);

    // each staff member got a single-use link; the first sets a password and logs in
    const [disp, eng] = body.staff;
    const mail = (await mailsTo(disp!.email))[0]!;
    const token = inviteToken(mail)!;
    expect(token).toBeTruthy();
    const anon = client(app.url);
    expect((await anon.get(`/api/onboarding/invitations/${token}`)).body).toEqual({ login: disp!.email, fullName: disp!.fullName, organisation: org.shortName });
    expect((await anon.post("/api/auth/login", { login: disp!.email, password: "long-enough-password" })).status).toBe(401);
    const short = await anon.post(`/api/onboarding/invitations/${token}/accept`, { password: "short" });
    expect(short.status).toBe(400);
    const ok = await anon.post(`/api/onboarding/invitations/${token}/accept`, { password: "long-enough-password" });
    expect(ok.status).toBe(200);
    const login = await client(app.url).post("/api/auth/login", { login: disp!.email, password: "long-enough-password" });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: "uo", organisationId: org.id, fullName: disp!.fullName });
    const twice = await anon.post(`/api/onboarding/invitations/${token}/accept`, { password: "another-password-1" });
    expect(twice.status).toBe(410);
    expect(twice.body.error.id).toBe("invitation_used");

    // the second link has expired
    const engToken = inviteToken((await mailsTo(eng!.email))[0]!)!;
    await db.sequelize.query("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE login = $1)", { bind: [eng!.email] });
    const late = await anon.post(`/api/onboarding/invitations/${engToken}/accept`, { password: "long-enough-password" });
    expect(late.status).toBe(410);
    expect(late.body.error.id).toBe("invitation_expired");
    expect((await User.findOne({ where: { login: eng!.email } }))!.passwordHash).toBeNull();
    expect((await anon.post(`/api/onboarding/invitations/${"x".repeat(43)}/accept`, { password: "long-enough-password" })).body.error.id).toBe("invitation_not_found");

    // a second review is refused; the same organisation cannot apply again
    expect((await agency.post(`/api/onboarding/requests/${sent.body.id}/reject`, { reason: "поздно" })).body.error.id).toBe("request_already_reviewed");
    expect((await client(app.url).post("/api/onboarding/requests", { ...uoRequest(), card: body.card, buildings: rowsOf(street(), 1) })).body.error.id).toBe("organisation_exists");
  });

  it("reports every bad building row of the request, and a building of another УО", async () => {
    const other = await makeOrg("management_company");
    const taken = await Building.create({ settlement: "г. Печора", cityDistrict: null, street: street(), house: "9", uoId: other.id, latitude: null, longitude: null });
    const rows = [...rowsOf(street(), 2), { "Населенный пункт": "г. Печора", Улица: taken.street, Дом: "9", Квартира: "1", "Лицевой счет": `T${uid()}` }];
    rows[0]!["Квартира"] = "";
    const res = await client(app.url).post("/api/onboarding/requests", uoRequest({ buildings: rows }));
    expect(res.status).toBe(422);
    expect(res.body.error.details.errors).toEqual([
      { row: 1, field: "apartment", column: "Квартира", message: "не заполнено" },
      { row: 3, field: "house", column: "Дом", message: `дом обслуживается другой управляющей организацией («${other.shortName}»)` },
    ]);
  });

  it("is rejected with a reason, and the requester is told", async () => {
    const body = uoRequest({ buildings: rowsOf(street(), 2) });
    const sent = await client(app.url).post("/api/onboarding/requests", body);
    expect(sent.status).toBe(201);
    const again = await client(app.url).post("/api/onboarding/requests", body);
    expect([again.status, again.body.error.id]).toEqual([409, "request_pending"]);
    expect((await agency.post(`/api/onboarding/requests/${sent.body.id}/reject`, {})).status).toBe(400);
    const rej = await agency.post(`/api/onboarding/requests/${sent.body.id}/reject`, { reason: "Не приложен список сотрудников с подписью руководителя" });
    expect(rej.body).toMatchObject({ status: "rejected", rejectReason: "Не приложен список сотрудников с подписью руководителя" });
    const mail = (await mailsTo(body.requesterEmail)).find((m) => m.subject.includes("отклонена"))!;
    expect(mail.text).toContain("Причина: Не приложен список сотрудников с подписью руководителя");
    expect(await Organisation.count({ where: { inn: body.card.inn } })).toBe(0);
  });

  it("is reviewed by the agency only", async () => {
    const sent = await client(app.url).post("/api/onboarding/requests", uoRequest({ buildings: rowsOf(street(), 1) }));
    const uoUser = await loginAs(app.url, await makeUser("uo", await makeOrg("management_company")));
    expect((await uoUser.post(`/api/onboarding/requests/${sent.body.id}/approve`, {})).status).toBe(403);
    expect((await uoUser.get("/api/onboarding/requests")).status).toBe(403);
    expect((await client(app.url).get("/api/onboarding/requests")).status).toBe(401);
    expect((await client(app.url).get(`/api/onboarding/requests/${sent.body.id}`)).status).toBe(401);
  });
});

describe("connection request of a ПО", () => {
  it("links the contractor to the УО it serves", async () => {
    const uo = await makeOrg("management_company", `ООО «УК Обслуживаемая ${uid()}»`);
    const tag = uid();
    const body = {
      ...uoRequest(),
      orgType: "contractor",
      card: validCard({ inn: randomInn(), shortName: `ООО «Ремонт ${tag}»` }),
      served: [{ name: uo.shortName }],
    };
    const sent = await client(app.url).post("/api/onboarding/requests", body);
    expect(sent.status).toBe(201);
    const res = await agency.post(`/api/onboarding/requests/${sent.body.id}/approve`, {});
    expect(res.status).toBe(200);
    expect(await OrganisationLink.count({ where: { uoId: uo.id, providerId: res.body.organisationId } })).toBe(1);
    expect((await User.findOne({ where: { login: body.staff[0]!.email } }))!.role).toBe("contractor");
  });
});

describe("feedback: change requests", () => {
  it("the organisation asks, the agency applies or refuses, history is kept", async () => {
    const uo = await makeOrg("management_company");
    const uoClient = await loginAs(app.url, await makeUser("uo", uo));
    const bad = await uoClient.post("/api/onboarding/change-requests", { changes: { oktmo: "123" } });
    expect(bad.body.error.details.issues).toEqual([{ field: "changes.oktmo", message: "ОКТМО должен содержать 8 или 11 цифр" }]);
    const asked = await uoClient.post("/api/onboarding/change-requests", { changes: { dispatchPhone: "8 (82142) 3-00-00", workingHours: "круглосуточно" }, comment: "Новый номер" });
    expect(asked.status).toBe(201);
    expect((await uoClient.post(`/api/onboarding/change-requests/${asked.body.id}/review`, { decision: "apply" })).status).toBe(403);
    const applied = await agency.post(`/api/onboarding/change-requests/${asked.body.id}/review`, { decision: "apply" });
    expect(applied.body).toMatchObject({ status: "applied", before: { dispatchPhone: null, workingHours: null }, after: { dispatchPhone: "8 (82142) 3-00-00", workingHours: "круглосуточно" } });
    await uo.reload();
    expect(uo.dispatchPhone).toBe("+78214230000");
    expect(uo.requisites).toMatchObject({ workingHours: "круглосуточно" });

    const second = await uoClient.post("/api/onboarding/change-requests", { comment: "Добавьте дом по ул. Мира, 3" });
    const refused = await agency.post(`/api/onboarding/change-requests/${second.body.id}/review`, { decision: "refuse", reason: "Дом обслуживает другая УО" });
    expect(refused.body).toMatchObject({ status: "refused", reviewReason: "Дом обслуживает другая УО" });
    const mine = await uoClient.get("/api/onboarding/change-requests");
    expect(mine.body.items.map((c: { id: number; status: string }) => [c.id, c.status])).toEqual([
      [second.body.id, "refused"],
      [asked.body.id, "applied"],
    ]);
    const stranger = await loginAs(app.url, await makeUser("uo", await makeOrg("management_company")));
    expect((await stranger.get(`/api/onboarding/change-requests/${asked.body.id}`)).status).toBe(404);
    expect(await ChangeRequest.count({ where: { organisationId: uo.id } })).toBe(2);
    const count = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = 'message.requested' AND payload->>'key' LIKE $1", {
      bind: [`change-request:${asked.body.id}:apply:user:%`],
      type: QueryTypes.SELECT,
    });
    expect(count[0]!.n).toBe(1);
  });
});
