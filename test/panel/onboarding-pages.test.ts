// The public onboarding pages over plain HTTP: the connection form (УО and ПО/РСО) with field
// errors next to their fields and the building file's row report, the invitation page (set a
// password, used and expired links), and the messenger section of the staff profile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp } from "../support/app.ts";
import { actorOf, makeWorld, PASSWORD, uid, type World } from "../support/factories.ts";
import { panelDoor } from "../../src/panel/door.ts";
import { runCommand } from "../../src/context.ts";
import { connectionRequestApprover } from "../../src/commands/connectionRequestReviewer.ts";
import { ConnectionRequest, Invitation } from "../../src/models/ConnectionRequest.ts";
import { MessengerIdentity } from "../../src/models/Resident.ts";
import { User } from "../../src/models/User.ts";
import type { Platform } from "../../src/server.ts";
import { FormClient, hidden, panelLogin } from "./formClient.ts";
import { buildingCsv, randomInn, validCard } from "../onboarding/fixtures.ts";
import { inviteToken, mailsTo } from "../onboarding/support.ts";

let db: TestDb;
let app: Platform;
let w: World;
beforeAll(async () => {
  db = await setupTestDb();
  app = await startTestApp({ doors: [panelDoor] });
  w = await makeWorld();
});
afterAll(async () => {
  await app.stop();
  await db.close();
});

/** The form's fields as a browser would post them. */
function formOf(token: string, over: { card?: Record<string, string>; orgType?: string } = {}) {
  const tag = uid();
  const card = validCard({ inn: randomInn(), shortName: `ООО «Тест ${tag}»`, email: `org-${tag}@pechora.ru`, ...over.card });
  const f = new FormData();
  f.set("_pcsrf", token);
  if (over.orgType) f.set("orgType", over.orgType);
  for (const [k, v] of Object.entries(card)) f.set(`card.${k}`, v);
  // Row 0 is left empty on purpose: errors must land on the form's own row numbers.
  for (const k of ["fullName", "position", "email", "phone"]) f.set(`staff.0.${k}`, "");
  f.set("staff.1.fullName", "Смирнова Ольга Ивановна");
  f.set("staff.1.position", "Диспетчер");
  f.set("staff.1.email", `disp-${tag}@pechora.ru`);
  f.set("staff.1.phone", "");
  f.set("served.0.name", "ООО «Подрядчик»");
  f.set("served.0.inn", "");
  f.set("requesterName", "Иванов Иван Иванович");
  f.set("requesterEmail", `boss-${tag}@pechora.ru`);
  return { f, tag, card };
}
const csv = (text: string) => new Blob([text], { type: "text/csv" });
const requestsWithInn = (inn: string) => ConnectionRequest.count({ where: { card: { inn } } });
/** The text of the error span right after a field. */
const errorOf = (page: string, field: string) => new RegExp(`id="f-${field.replace(/\./g, "-")}-err">([^<]*)<`).exec(page)?.[1] ?? null;

describe("connection request form", () => {
  it("shows the form for a УО and for a ПО/РСО with every card field, without login", async () => {
    const c = new FormClient(app.url);
    const choice = await c.get("/connect");
    expect(choice.status).toBe(200);
    expect(choice.text).toContain('href="/connect/uo"');
    const uo = await c.get("/connect/uo");
    expect(uo.status).toBe(200);
    for (const f of ["card.inn", "card.kpp", "card.ogrn", "card.bik", "card.settlementAccount", "card.oktmo", "card.chiefEngineerPhone", "staff.0.email", "served.0.name", "requesterEmail"])
      expect(uo.text).toContain(`name="${f}"`);
    expect(uo.text).toContain('name="buildings" type="file"');
    const po = await c.get("/connect/executor");
    expect(po.text).toContain('name="orgType"');
    expect(po.text).not.toContain('name="buildings"');
    expect((await c.get("/connect/nonsense")).status).toBe(404);

    // «Ещё строки» shows the form again with more empty rows, keeping what was typed, writing nothing.
    const { f, card } = formOf(hidden(po.text, "_pcsrf"), { orgType: "contractor" });
    f.set("more", "1");
    const more = await c.request("POST", "/connect/executor", f);
    expect(more.status).toBe(200);
    expect(more.text).toContain('name="staff.3.email"');
    expect(more.text).toContain(`value="${card.inn}"`);
    expect(more.text).not.toContain("field-error");
    expect(await requestsWithInn(card.inn!)).toBe(0);
  });

  it("a bad ИНН is named next to its field and nothing is written; fixed, the request is stored", async () => {
    const c = new FormClient(app.url);
    const token = hidden((await c.get("/connect/uo")).text, "_pcsrf");
    const badInn = "7707083894";
    const { f, tag } = formOf(token, { card: { inn: badInn } });
    f.set("staff.1.email", "не-почта");
    f.set("buildings", csv(buildingCsv(`Форменная-${tag}`, 3, `F${tag}`)), "doma.csv");
    const bad = await c.request("POST", "/connect/uo", f);
    expect(bad.status).toBe(400);
    expect(errorOf(bad.text, "card.inn")).toBe("неверное контрольное число ИНН");
    expect(errorOf(bad.text, "staff.1.email")).toBe("неверный адрес электронной почты");
    expect(bad.text).toContain(`value="${badInn}"`); // typed values are kept
    expect(bad.text).toContain('aria-invalid="true"');
    expect(await requestsWithInn(badInn)).toBe(0);

    const inn = randomInn();
    f.set("card.inn", inn);
    f.set("staff.1.email", `disp-${tag}@pechora.ru`);
    f.set("buildings", csv(buildingCsv(`Форменная-${tag}`, 3, `F${tag}`)), "doma.csv");
    const ok = await c.request("POST", "/connect/uo", f);
    expect(ok.status).toBe(302);
    expect(ok.location).toBe("/connect/sent");
    const done = await c.get("/connect/sent");
    expect(done.text).toMatch(/Заявка № \d+ принята, квартир в списке: 3/);
    const req = await ConnectionRequest.findOne({ where: { card: { inn } } });
    expect(req?.staff.map((s) => s.email)).toEqual([`disp-${tag}@pechora.ru`]);
    expect(req?.served.map((s) => s.name)).toEqual(["ООО «Подрядчик»"]);
    expect(req?.buildings).toHaveLength(3);
  });

  it("shows the building file's row-by-row report and a missing file, writing nothing", async () => {
    const c = new FormClient(app.url);
    const token = hidden((await c.get("/connect/uo")).text, "_pcsrf");
    const { f, card, tag } = formOf(token);
    const noFile = await c.request("POST", "/connect/uo", f);
    expect(noFile.status).toBe(400);
    expect(errorOf(noFile.text, "buildings")).toContain("приложите список");

    const lines = buildingCsv(`Отчётная-${tag}`, 4, `R${tag}`).trimEnd().split("\r\n");
    lines[2] = lines[2]!.replace(";2;R", ";;R"); // row 3 of the sheet: no apartment
    lines[4] = lines[4]!.replace(/;\d;1$/, ";999;1"); // row 5: floor out of range (-5…200)
    f.set("buildings", csv(lines.join("\r\n") + "\r\n"), "doma.csv");
    const res = await c.request("POST", "/connect/uo", f);
    expect(res.status).toBe(422);
    const report = res.text.slice(res.text.indexOf('id="import-report"'));
    expect(report).toContain("Строк с ошибками: 2");
    expect(report).toMatch(/<td>3<\/td><td>Квартира<\/td><td>[^<]+<\/td>/);
    expect(report).toMatch(/<td>5<\/td><td>Этаж<\/td><td>[^<]+<\/td>/);
    expect(await requestsWithInn(card.inn!)).toBe(0);

    f.set("buildings", csv("Улица;Дом\r\nЛенина;1\r\n"), "doma.csv");
    const cols = await c.request("POST", "/connect/uo", f);
    expect(cols.status).toBe(400);
    expect(errorOf(cols.text, "buildings")).toContain("нет обязательных столбцов");
  });

  it("a ПО/РСО applies without buildings; a second request with the same ИНН is refused with the API's message", async () => {
    const c = new FormClient(app.url);
    const token = hidden((await c.get("/connect/executor")).text, "_pcsrf");
    const { f, card } = formOf(token, { orgType: "resource_supplier" });
    const ok = await c.request("POST", "/connect/executor", f);
    expect(ok.status).toBe(302);
    const req = await ConnectionRequest.findOne({ where: { card: { inn: card.inn! } } });
    expect(req?.orgType).toBe("resource_supplier");
    const again = await c.request("POST", "/connect/executor", f);
    expect(again.status).toBe(409);
    expect(again.text).toContain("уже подана");
  });

  it("refuses a post without the form's CSRF token and writes nothing", async () => {
    const c = new FormClient(app.url);
    await c.get("/connect/executor");
    const { f, card } = formOf("forged", { orgType: "contractor" });
    const res = await c.request("POST", "/connect/executor", f);
    expect(res.status).toBe(403);
    expect(await requestsWithInn(card.inn!)).toBe(0);
  });
});

describe("invitation page", () => {
  async function approvedStaff() {
    const c = new FormClient(app.url);
    const token = hidden((await c.get("/connect/executor")).text, "_pcsrf");
    const { f, card, tag } = formOf(token, { orgType: "contractor" });
    expect((await c.request("POST", "/connect/executor", f)).status).toBe(302);
    const req = (await ConnectionRequest.findOne({ where: { card: { inn: card.inn! } } }))!;
    await runCommand(actorOf(w.users.agency), (ctx) => connectionRequestApprover({ ctx, requestId: req.id }));
    const email = `disp-${tag}@pechora.ru`;
    const mail = (await mailsTo(email)).find((m) => inviteToken(m));
    expect(mail?.text).toMatch(/^https?:\/\/[^/\s]+\/invite\/[A-Za-z0-9_-]{43}$/m); // the page below serves this path
    return { email, token: inviteToken(mail!)! };
  }

  it("sets a password (twice, minimum length), then the user logs in; the link works once", async () => {
    const { email, token } = await approvedStaff();
    const c = new FormClient(app.url);
    const form = await c.get(`/invite/${token}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain(email);
    const csrf = hidden(form.text, "_pcsrf");
    const short = await c.post(`/invite/${token}`, { _pcsrf: csrf, password: "short", repeat: "short" });
    expect(short.status).toBe(400);
    expect(short.text).toContain("от 10 до 200 символов");
    const differ = await c.post(`/invite/${token}`, { _pcsrf: csrf, password: "new-password-1", repeat: "new-password-2" });
    expect(differ.status).toBe(400);
    expect(differ.text).toContain("Пароли не совпадают");
    expect((await Invitation.findOne({ where: { userId: (await User.findOne({ where: { email } }))!.id } }))?.usedAt).toBeNull();

    const set = await c.post(`/invite/${token}`, { _pcsrf: csrf, password: "new-password-1", repeat: "new-password-1" }, false);
    expect(set.status).toBe(302);
    expect(set.location).toBe(`/login?login=${encodeURIComponent(email)}`);
    const login = await c.get(set.location!);
    expect(login.text).toContain("Пароль задан");
    expect(login.text).toContain(`value="${email}"`);
    const signed = await panelLogin(app.url, email, "new-password-1");
    expect(signed.page.url).toBe("/panel/tickets");

    const used = await new FormClient(app.url).get(`/invite/${token}`);
    expect(used.status).toBe(410);
    expect(used.text).toContain("Эта ссылка уже использована");
  });

  it("explains an expired link and an unknown one", async () => {
    const { email, token } = await approvedStaff();
    const user = (await User.findOne({ where: { email } }))!;
    await Invitation.update({ expiresAt: new Date(Date.now() - 60_000) }, { where: { userId: user.id } });
    const c = new FormClient(app.url);
    const expired = await c.get(`/invite/${token}`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("Срок действия ссылки истёк");
    const post = await c.post(`/invite/${token}`, { _pcsrf: hidden((await c.get("/connect/uo")).text, "_pcsrf"), password: "new-password-1", repeat: "new-password-1" });
    expect(post.status).toBe(410);
    expect((await User.findByPk(user.id))!.passwordHash).toBeFalsy();
    const unknown = await c.get(`/invite/${"x".repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("Ссылка-приглашение не найдена");
  });
});

describe("messenger links in the profile", () => {
  it("lists linked accounts with «Отвязать», offers a code, and the API issues it", async () => {
    const { c, csrf } = await panelLogin(app.url, w.users.contractor.login, PASSWORD);
    await MessengerIdentity.create({ channel: "vk", externalId: `vk-${uid()}`, userId: w.users.contractor.id, username: "crew_vk" } as never);
    const profile = await c.get("/panel/password");
    expect(profile.status).toBe(200);
    expect(profile.text).toContain("Привязать мессенджер");
    expect(profile.text).toContain('src="/static/profile.js"');
    expect(profile.text).toContain("@crew_vk");
    expect(profile.text).toContain('data-api="/api/me/messenger-links/vk" data-method="DELETE"');
    const code = await c.request("POST", "/api/me/messenger-links/codes", new URLSearchParams(), { "x-csrf-token": csrf });
    expect(code.status).toBe(201);
    expect(JSON.parse(code.text).codeFormatted).toMatch(/^\d{4} \d{4}$/);
    const del = await c.request("DELETE", "/api/me/messenger-links/vk", undefined, { "x-csrf-token": csrf });
    expect(del.status).toBe(204);
    expect((await c.get("/panel/password")).text).toContain("Привязанных мессенджеров нет");
  });
});
