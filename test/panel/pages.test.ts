// The panel's pages over plain HTTP: login, scoping, escaping, CSRF, stale forms, resident pages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp } from "../support/app.ts";
import { act, actorOf, addWorkOrder, category, createTicket, makeBuilding, makeOrg, makeUser, makeWorld, PASSWORD, PDF, PNG, type World } from "../support/factories.ts";
import { panelDoor } from "../../src/panel/door.ts";
import { Ticket, Attachment } from "../../src/models/Ticket.ts";
import type { Platform } from "../../src/server.ts";
import type { User } from "../../src/models/User.ts";
import { FormClient, hidden, panelLogin } from "./formClient.ts";

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

describe("staff pages", () => {
  it("logs in and lands each role in its workspace, with security headers", async () => {
    const op = await panelLogin(app.url, w.users.operator.login, PASSWORD);
    expect(op.page.url).toBe("/panel/tickets");
    expect(op.page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(op.page.headers.get("x-frame-options")).toBe("DENY");
    expect(op.page.text).not.toMatch(/<script>|<script [^s]|onclick=/);
    const admin = await panelLogin(app.url, w.users.admin.login, PASSWORD);
    expect(admin.page.url).toBe("/panel/admin/categories");
    const agency = await panelLogin(app.url, w.users.agency.login, PASSWORD);
    expect(agency.page.url).toBe("/panel/orgs");
  });

  it("renders every workspace page for its roles and refuses the others", async () => {
    const pages: Array<[User, string[]]> = [
      [w.users.admin, ["/panel/admin/categories", "/panel/admin/calendar", "/panel/users", "/panel/orgs", "/panel/admin/status", "/panel/tickets"]],
      [w.users.agency, ["/panel/orgs", "/panel/users", "/panel/requests", "/panel/reports", "/panel/ratings", "/panel/tickets"]],
      [w.users.oversight, ["/panel/tickets?tab=overdue", "/panel/conflicts", "/panel/reports"]],
      [w.users.operator, ["/panel/tickets", "/panel/tickets/new", "/panel/callbacks"]],
      [w.users.uo, ["/panel/tickets", "/panel/conflicts", "/panel/reports"]],
      [w.users.contractor, ["/panel/tickets"]],
    ];
    for (const [user, paths] of pages) {
      const { c } = await panelLogin(app.url, user.login, PASSWORD);
      for (const p of paths) {
        const res = await c.get(p);
        expect(res.status, `${user.role} ${p} ${res.status === 200 ? "" : res.text.slice(res.text.indexOf("<main"), res.text.indexOf("<main") + 400)}`).toBe(200);
        expect(res.text).toContain('lang="ru"');
      }
    }
    const { c } = await panelLogin(app.url, w.users.operator.login, PASSWORD);
    const denied = await c.get("/panel/admin/categories");
    expect(denied.status).toBe(403);
    expect(denied.text).toContain("Этот раздел недоступен для вашей роли");
    const anon = await new FormClient(app.url).get("/panel/tickets");
    expect(anon.status).toBe(302);
    expect(anon.location).toBe("/login");
  });

  it("refuses a wrong password with a Russian message and no session", async () => {
    const c = new FormClient(app.url);
    const form = await c.get("/login");
    const res = await c.post("/login", { login: w.users.operator.login, password: "wrong-password", _pcsrf: hidden(form.text, "_pcsrf") });
    expect(res.text).toContain("Неверный логин или пароль");
    expect(c.cookies.has("op_session")).toBe(false);
  });

  it("creates a ticket from the operator form; a script in the description renders as text", async () => {
    const { c, csrf } = await panelLogin(app.url, w.users.operator.login, PASSWORD);
    const cat = await category("tap_leak");
    const desc = `<script>alert(1)</script> течёт ${Date.now()}`;
    const fields = { _csrf: csrf, categoryId: String(cat.id), description: desc, buildingId: String(w.building.id), apartmentId: String(w.apartments[0]!.id), contactPhone: "+79120000001", contactName: "Иван", channel: "phone" };
    const card = await c.post("/panel/tickets", fields);
    expect(card.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(card.text).not.toContain("<script>alert(1)");
    // A double submit lands on the same ticket.
    const again = await c.post("/panel/tickets", fields);
    expect(again.text).toContain("уже создана");
    expect(await Ticket.count({ where: { description: desc } })).toBe(1);
  });

  it("a УО user cannot open another УО's ticket by URL; the list does not show it", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, description: "Чужая заявка секрет" });
    const otherUo = await makeOrg("management_company");
    const stranger = await makeUser("uo", otherUo);
    const { c } = await panelLogin(app.url, stranger.login, PASSWORD);
    const res = await c.get(`/panel/tickets/${t.id}`);
    expect(res.status).toBe(404);
    expect(res.text).toContain("Заявка не найдена");
    expect(res.text).not.toContain("Чужая заявка секрет");
    const list = await c.get("/panel/tickets?tab=all");
    expect(list.text).not.toContain(t.number);
    const own = await panelLogin(app.url, w.users.uo.login, PASSWORD);
    expect((await own.c.get(`/panel/tickets/${t.id}`)).text).toContain("Чужая заявка секрет");
  });

  it("offers only legal actions; forged executor and stale pages get a message and change nothing", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    const { c, csrf } = await panelLogin(app.url, w.users.uo.login, PASSWORD);
    const card = await c.get(`/panel/tickets/${t.id}`);
    expect(card.text).toContain('data-action="assign"');
    expect(card.text).not.toContain('data-action="verify"');
    expect(card.text).not.toContain('data-action="accept"');
    const foreign = await makeOrg("contractor");
    const forged = await c.post(`/panel/tickets/${t.id}/act/assign`, { _csrf: csrf, expectedVersion: String(t.version), executorOrgId: String(foreign.id) });
    expect(forged.text).toContain("организация не обслуживает эту управляющую организацию");
    expect((await Ticket.findByPk(t.id))!.status).toBe("routed");
    const ok = await c.post(`/panel/tickets/${t.id}/act/assign`, { _csrf: csrf, expectedVersion: String(t.version), executorOrgId: String(w.contractor.id) });
    expect(ok.text).toContain("Назначен исполнитель");
    const stale = await c.post(`/panel/tickets/${t.id}/act/reject`, { _csrf: csrf, expectedVersion: String(t.version), reason: "не наш дом" });
    expect(stale.text).toContain("Заявка уже изменена");
    expect((await Ticket.findByPk(t.id))!.status).toBe("assigned");
  });

  it("refuses a state change without the CSRF token", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    const { c } = await panelLogin(app.url, w.users.uo.login, PASSWORD);
    const res = await c.request("POST", `/panel/tickets/${t.id}/act/assign`, new URLSearchParams({ expectedVersion: String(t.version), executorOrgId: String(w.contractor.id) }), {
      accept: "text/html,application/xhtml+xml",
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain("Форма устарела или отправлена не из панели");
    expect((await Ticket.findByPk(t.id))!.status).toBe("routed");
  });

  it("reports with a work-order upload in one step; a bad file leaves nothing behind", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), t.id, "accept");
    const v = (await Ticket.findByPk(t.id))!.version;
    const { c, csrf } = await panelLogin(app.url, w.users.contractor.login, PASSWORD);
    const bad = new FormData();
    bad.set("expectedVersion", String(v));
    bad.set("worksDone", "Заменена прокладка");
    bad.set("file", new Blob([new Uint8Array(Buffer.from("#!/bin/sh\necho hi\n"))]), "naryad.sh");
    const refused = await c.postMultipart(`/panel/tickets/${t.id}/act/report`, bad, csrf);
    expect(refused.status).toBe(415);
    expect(JSON.parse(refused.text).error.message).toContain("Тип файла не поддерживается");
    expect(await Attachment.count({ where: { ticketId: t.id } })).toBe(0);
    const huge = new FormData();
    huge.set("expectedVersion", String(v));
    huge.set("worksDone", "Заменена прокладка");
    huge.set("file", new Blob([new Uint8Array(11 * 1024 * 1024)], { type: "application/pdf" }), "naryad.pdf");
    const tooBig = await c.postMultipart(`/panel/tickets/${t.id}/act/report`, huge, csrf);
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.text).error.message).toContain("Файл слишком большой");
    expect((await Ticket.findByPk(t.id))!.status).toBe("accepted");
    const good = new FormData();
    good.set("expectedVersion", String(v));
    good.set("worksDone", "Заменена прокладка");
    good.set("file", new Blob([new Uint8Array(PDF)], { type: "application/pdf" }), "naryad.pdf");
    // The panel script is told which page to open; the success flash waits there.
    const res = await c.postMultipart(`/panel/tickets/${t.id}/act/report`, good, csrf);
    expect(JSON.parse(res.text)).toEqual({ redirect: `/panel/tickets/${t.id}` });
    const card = await c.get(`/panel/tickets/${t.id}`);
    expect(card.text).toContain("Работы выполнены, идёт проверка");
    expect(card.text).toContain("Заказ-наряд");
    expect(card.text).toMatch(/class="flash ok"[^>]*>Готово\./);
  });

  it("an expired session mid-form sends the user to the login page with a message", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    const { c, csrf } = await panelLogin(app.url, w.users.uo.login, PASSWORD);
    await db.sequelize.query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = $1", { bind: [w.users.uo.id] });
    const res = await c.post(`/panel/tickets/${t.id}/act/assign`, { _csrf: csrf, expectedVersion: String(t.version), executorOrgId: String(w.contractor.id) });
    expect(res.text).toContain("Сеанс завершён или истёк");
    expect((await Ticket.findByPk(t.id))!.status).toBe("routed");
  });
});

describe("resident pages", () => {
  it("submits a request with a photo: pending confirmation; status page confirms completion", async () => {
    const { building, apartments } = await makeBuilding(w.uo, 2);
    const c = new FormClient(app.url);
    const form = await c.get("/zayavka");
    expect(form.text).toContain("Подать заявку");
    const streets = JSON.parse((await c.get(`/p/api/buildings?q=${encodeURIComponent(building.street.slice(3, 15))}`)).text);
    expect(streets.items.map((s: { street: string }) => s.street)).toContain(building.street);
    const houses = JSON.parse((await c.get(`/p/api/buildings?street=${encodeURIComponent(building.street)}`)).text);
    expect(houses.items[0].id).toBe(building.id);
    const apts = JSON.parse((await c.get(`/p/api/buildings/${building.id}/apartments`)).text);
    expect(Object.keys(apts.items[0]).sort()).toEqual(["id", "number"]);
    const phone = `+7912${String(Date.now()).slice(-7)}`;
    const fd = () => {
      const f = new FormData();
      f.set("_pcsrf", hidden(form.text, "_pcsrf"));
      f.set("name", "Мария");
      f.set("phone", phone);
      f.set("buildingId", String(building.id));
      f.set("apartmentId", String(apartments[1]!.id));
      f.set("categoryId", form.text.match(/<option value="(\d+)">/)![1]!);
      f.set("description", "<b>Не горит свет</b> в подъезде");
      f.set("consent", "on");
      return f;
    };
    const f1 = fd();
    f1.set("photos", new Blob([new Uint8Array(PNG)], { type: "image/png" }), "photo.png");
    const done = await c.postMultipart("/zayavka", f1, "");
    expect(done.text).toContain("принята");
    const number = /Заявка № (\d{4}-\d{6}) принята/.exec(done.text)![1]!;
    const t = (await Ticket.findOne({ where: { number } }))!;
    expect(t.status).toBe("pending_confirmation");
    expect(t.channel).toBe("web");
    expect(await Attachment.count({ where: { ticketId: t.id } })).toBe(1);
    const [consent] = await db.sequelize.query<{ version: string; channel: string }>("SELECT version, channel FROM resident_consents WHERE resident_id = $1", {
      bind: [t.residentId],
      type: "SELECT" as never,
    });
    expect(consent).toEqual({ version: "web-2026-12-03", channel: "web" });
    // Rate limit per phone.
    await c.postMultipart("/zayavka", fd(), "");
    await c.postMultipart("/zayavka", fd(), "");
    const limited = await c.postMultipart("/zayavka", fd(), "");
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.text).error.message).toContain("не более 3 заявок");
    // The call centre confirms, the work is done and verified; the resident confirms on the status page.
    await act(actorOf(w.users.operator), t.id, "confirm_intake");
    await act(actorOf(w.users.operator), t.id, "route", { uoId: w.uo.id });
    const status = await c.get("/status");
    const wrong = await c.post("/status", { _pcsrf: hidden(status.text, "_pcsrf"), number, phone: "+79990000000" });
    expect(wrong.text).toContain("Заявка не найдена");
    expect(wrong.text).not.toContain("Не горит свет");
    const page = await c.post("/status", { _pcsrf: hidden(status.text, "_pcsrf"), number, phone });
    expect(page.text).toContain("Передана в управляющую организацию");
    expect(page.text).toContain("&lt;b&gt;Не горит свет&lt;/b&gt;");
    expect(page.text).not.toContain('value="confirm"');
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), t.id, "accept");
    const wo = await addWorkOrder(actorOf(w.users.contractor), t.id);
    await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Заменена лампа", workOrderAttachmentId: wo.id });
    await act(actorOf(w.users.uo), t.id, "verify");
    const verified = await c.post("/status", { _pcsrf: hidden(status.text, "_pcsrf"), number, phone });
    expect(verified.text).toContain('value="confirm"');
    expect(verified.text).toContain('value="dispute"');
    const closed = await c.post("/status/act", {
      _pcsrf: hidden(status.text, "_pcsrf"),
      number,
      phone,
      action: "confirm",
      rating: "5",
      expectedVersion: hidden(verified.text, "expectedVersion"),
    });
    expect(closed.text).toContain("Спасибо! Заявка закрыта.");
    const after = (await Ticket.findByPk(t.id))!;
    expect(after.status).toBe("closed");
    expect(after.rating).toBe(5);
  });
});
