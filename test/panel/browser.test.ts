// End to end in Debian's headless Chromium: the screen-pop, the ticket from it, the УО assigns,
// the contractor reports with a work-order upload, the УО verifies, and the operator's list
// follows every step live. Screenshots of the workspaces go to test-artifacts/screenshots/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp } from "../support/app.ts";
import { actorOf, createTicket, makeOrg, makeResident, makeUser, makeWorld, PASSWORD, PDF, type World } from "../support/factories.ts";
import { panelDoor } from "../../src/panel/door.ts";
import { telephonyDoor, type TelephonyDoor } from "../../telephony/index.ts";
import { AmiTestServer } from "../support/amiServer.ts";
import { Ticket } from "../../src/models/Ticket.ts";
import type { Platform } from "../../src/server.ts";
import type { User } from "../../src/models/User.ts";

import { browserRequired as required, CHROMIUM, CHROMIUM_ARGS as ARGS, hasChromium, SHOTS } from "../support/browser.ts";

it("has Chromium when REQUIRE_BROWSER_TESTS=1 (CI)", () => {
  if (required) expect(hasChromium, `${CHROMIUM} is missing but REQUIRE_BROWSER_TESTS=1`).toBe(true);
});

describe.skipIf(!hasChromium)(hasChromium ? "panel in a real browser" : `panel in a real browser — skipped: ${CHROMIUM} not found (apt-get install -y chromium)`, () => {
  let db: TestDb;
  let app: Platform;
  let w: World;
  const contexts: BrowserContext[] = [];
  const dirs: string[] = [];

  let ami: AmiTestServer;
  beforeAll(async () => {
    db = await setupTestDb();
    // The real AMI connector against a local server that replays a recorded Asterisk call.
    ami = new AmiTestServer({ user: "cti", secret: "cti_secret" });
    await ami.start();
    app = await startTestApp({
      doors: [panelDoor, telephonyDoor({ leaderRetryMs: 50, backoffInitialMs: 20, backoffMaxMs: 300, actionTimeoutMs: 2000, pingIntervalMs: 60_000 })],
      env: { AMI_HOST: "127.0.0.1", AMI_PORT: String(ami.port), AMI_USER: "cti", AMI_SECRET: "cti_secret", AMI_OPERATOR_CHANNEL: "SIP/operator", AMI_ORIGINATE_CONTEXT: "from-operator" },
    });
    w = await makeWorld();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await app?.stop();
    await ami?.stop();
    await db?.close();
  });

  async function amiReady() {
    const door = app.doors.find((d) => d.name === "telephony") as TelephonyDoor;
    for (let i = 0; i < 400; i++) {
      const l = door.link();
      if (l && l.conn.status.state === "ready" && l.tracker.resyncs >= 1) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("AMI link not ready");
  }

  async function browserAs(user: User, viewport = { width: 1366, height: 768 }, keyboard = false): Promise<Page> {
    const { chromium } = await import("playwright-core");
    const dir = mkdtempSync(path.join(os.tmpdir(), "op-chromium-"));
    dirs.push(dir);
    const ctx = await chromium.launchPersistentContext(dir, { headless: true, executablePath: CHROMIUM, args: ARGS, viewport, locale: "ru-RU" });
    contexts.push(ctx);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.url}/login`);
    if (keyboard) {
      // Keyboard only: the login field has focus, Tab moves on, Enter submits.
      await page.keyboard.type(user.login);
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press("Enter");
    } else {
      await page.getByLabel("Логин").fill(user.login);
      await page.getByLabel("Пароль").fill(PASSWORD);
      await page.getByRole("button", { name: "Войти" }).click();
    }
    await page.waitForURL(/\/panel\//);
    return page;
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const liveStatus = (list: Page, id: number, text: string) => list.locator(`tr[data-ticket="${id}"] td.status`, { hasText: text }).waitFor();

  it("pop → ticket → assign → report with work order → verify, the operator's list updating live", { timeout: 180_000 }, async () => {
    // The operator's extension and the caller are unique to this test (the database is shared).
    const ext = String(7000 + Math.floor(Math.random() * 2999));
    const callerPhone = `+7912${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    const opUser = await makeUser("operator", w.callCentre, { extension: ext });
    const apt = w.apartments[1]!;
    const caller = await makeResident(apt, callerPhone);
    const operator = await browserAs(opUser);
    await operator.locator("#live-status", { hasText: "подключены" }).waitFor();
    await shot(operator, "operator-list");

    // A recorded inbound call (queue → operator answers → hang-up) replayed into the real connector.
    await amiReady();
    await ami.play("inbound_answered_queue", {
      speed: 40,
      edit: (raw) => raw.replaceAll("+79121234567", callerPhone).replace(/: 201\r\n/g, `: ${ext}\r\n`),
    });
    const pop = operator.locator(".callpop .call");
    await pop.waitFor();
    expect(await pop.textContent()).toContain(caller.fullName!);
    await pop.locator("h2", { hasText: "Звонок завершён" }).waitFor();
    await shot(operator, "operator-screen-pop");

    // A second tab keeps the list open while the operator fills the form in the first.
    const list = await operator.context().newPage();
    await list.goto(`${app.url}/panel/tickets`);
    await list.locator("#live-status", { hasText: "подключены" }).waitFor();
    await list.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 1));

    await pop.getByRole("button", { name: "Создать заявку" }).click();
    await operator.waitForURL(/\/panel\/tickets\/new/);
    expect(await operator.locator("#contactPhone").inputValue()).toBe(callerPhone);
    await operator.locator(`#apartmentId option[value="${apt.id}"]`).waitFor({ state: "attached" });
    await operator.waitForFunction((id) => (document.querySelector("#apartmentId") as HTMLSelectElement).value === String(id), apt.id);
    expect(await operator.locator("#buildingId").inputValue()).toBe(String(w.building.id));
    await operator.locator("#categoryId").selectOption({ label: "Течь смесителя, крана" }).catch(async () => operator.locator("#categoryId").selectOption({ index: 1 }));
    await operator.getByLabel("Описание").fill("Течёт кран на кухне <script>window.__xss = 1</script>");
    await shot(operator, "operator-new-ticket");
    await operator.getByRole("button", { name: "Создать заявку" }).click();
    await operator.waitForURL(/\/panel\/tickets\/\d+$/).catch(async (e) => {
      throw new Error(`${e}\n${await operator.locator("main").textContent()}`);
    });
    const id = Number(operator.url().split("/").pop());
    const t = (await Ticket.findByPk(id))!;
    expect(t.residentId).toBe(caller.id);
    expect(t.apartmentId).toBe(apt.id);
    // The ticket is linked to the call it came from, and the card lists that call.
    const [link] = await db.sequelize.query<{ n: number }>("SELECT count(*)::int AS n FROM call_tickets WHERE ticket_id = $1", { bind: [id], type: "SELECT" as never });
    expect(link!.n).toBe(1);
    await operator.locator(".linked-calls li", { hasText: "входящий" }).waitFor();
    // The script in the description is text, and it did not run.
    expect(await operator.locator(".description").textContent()).toContain("<script>window.__xss = 1</script>");
    expect(await operator.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await shot(operator, "operator-card");
    await liveStatus(list, id, "Передана в управляющую организацию");

    // УО: the queue, then the card with only legal actions; assign to the contractor.
    const uo = await browserAs(w.users.uo);
    await uo.locator(`tr[data-ticket="${id}"]`).waitFor();
    await shot(uo, "uo-queue");
    await uo.goto(`${app.url}/panel/tickets/${id}`);
    expect(await uo.locator("[data-action=verify]").count()).toBe(0);
    await uo.locator('details[data-action="assign"] summary').click();
    await uo.locator("#assign-executorOrgId").selectOption(String(w.contractor.id));
    await shot(uo, "uo-card-assign");
    await uo.locator('details[data-action="assign"] button[type=submit]').click();
    await uo.locator(".status", { hasText: "Назначен исполнитель" }).waitFor();
    await liveStatus(list, id, "Назначен исполнитель");

    // Contractor on a phone-sized screen: accept, then report with the work order.
    const contractor = await browserAs(w.users.contractor, { width: 390, height: 844 });
    await contractor.goto(`${app.url}/panel/tickets/${id}`);
    await contractor.locator('form[data-action="accept"] button').click();
    await contractor.locator(".status", { hasText: "Принята в работу" }).waitFor();
    await liveStatus(list, id, "Принята в работу");
    await contractor.locator('details[data-action="report"] summary').click();
    await contractor.locator("#report-worksDone").fill("Заменена прокладка смесителя");
    const pdf = path.join(dirs[0]!, "naryad.pdf");
    writeFileSync(pdf, PDF);
    await contractor.locator("#report-workOrderAttachmentId").setInputFiles(pdf);
    await shot(contractor, "contractor-report-phone");
    await contractor.locator('details[data-action="report"] button[type=submit]').click();
    await contractor.locator(".status", { hasText: "Работы выполнены" }).waitFor();
    expect(await contractor.locator(".files").textContent()).toContain("Заказ-наряд");
    await liveStatus(list, id, "Работы выполнены, идёт проверка");

    // УО verifies.
    await uo.goto(`${app.url}/panel/tickets/${id}`);
    await uo.locator('form[data-action="verify"] button').click();
    await uo.locator(".status", { hasText: "Выполнена, ожидает подтверждения жителя" }).waitFor();
    await liveStatus(list, id, "Выполнена, ожидает подтверждения жителя");
    expect(await list.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(1);
    await shot(list, "operator-list-updated");
  });

  it("a УО user cannot open another УО's ticket by URL", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, description: "Заявка чужой УО" });
    const stranger = await makeUser("uo", await makeOrg("management_company"));
    const page = await browserAs(stranger, undefined, true);
    const res = await page.goto(`${app.url}/panel/tickets/${t.id}`);
    expect(res!.status()).toBe(404);
    expect(await page.locator("main").textContent()).toContain("Заявка не найдена");
    expect(await page.content()).not.toContain("Заявка чужой УО");
  });

  it("a refused form keeps what the operator typed and says why; corrected, it creates the ticket with its flash", async () => {
    const operator = await browserAs(w.users.operator);
    await operator.goto(`${app.url}/panel/tickets/new`);
    const description = `Нет отопления в квартире, батареи холодные ${Date.now()}`;
    await operator.locator("#categoryId").selectOption({ index: 1 });
    await operator.locator("#contactPhone").fill("12345");
    await operator.locator("#contactName").fill("Иванова Мария Петровна");
    await operator.locator("#addressText").fill("ул. Ленина, 5, кв. 12");
    await operator.getByLabel("Описание").fill(description);
    await operator.getByRole("button", { name: "Создать заявку" }).click();
    const error = operator.locator("#new-ticket .form-error[role=alert]");
    await error.waitFor();
    expect(await error.textContent()).toContain("номер телефона не распознан");
    // Nothing was created, the page did not change, and every field still holds what was typed.
    expect(operator.url()).toMatch(/\/panel\/tickets\/new$/);
    expect(await Ticket.count({ where: { description } })).toBe(0);
    expect(await operator.getByLabel("Описание").inputValue()).toBe(description);
    expect(await operator.locator("#contactName").inputValue()).toBe("Иванова Мария Петровна");
    expect(await operator.locator("#addressText").inputValue()).toBe("ул. Ленина, 5, кв. 12");
    expect(await operator.getByRole("button", { name: "Создать заявку" }).isEnabled()).toBe(true);

    await operator.locator("#contactPhone").fill("+7 912 345-67-01");
    await operator.getByRole("button", { name: "Создать заявку" }).click();
    await operator.waitForURL(/\/panel\/tickets\/\d+$/);
    const t = (await Ticket.findOne({ where: { description } }))!;
    expect(operator.url()).toMatch(new RegExp(`/panel/tickets/${t.id}$`));
    expect(t.contactPhone).toBe("+79123456701");
    expect(await operator.locator(".flash.ok").textContent()).toContain(`Заявка № ${t.number} создана`);
    expect(await Ticket.count({ where: { description } })).toBe(1);
  });

  it("the УО registers an outage by street, sees it with its houses and ends it", async () => {
    const uo = await browserAs(w.users.uo);
    await uo.goto(`${app.url}/panel/outages`);
    await uo.locator("summary", { hasText: "Зарегистрировать отключение" }).click();
    await uo.getByLabel("Ресурс").selectOption("hot_water");
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await uo.getByLabel("Начало").fill(local(new Date(Date.now() - 3_600_000)));
    await uo.getByLabel("Ожидаемое окончание").fill(local(new Date(Date.now() + 4 * 3_600_000)));
    const reason = `Ремонт теплотрассы ${Date.now()}`;
    await uo.getByLabel("Причина").fill(reason);
    await uo.getByLabel("Улица").fill(w.building.street);
    await uo.getByRole("button", { name: "Зарегистрировать" }).click();
    await uo.locator(".form-result", { hasText: "Отключение зарегистрировано" }).waitFor().catch(async (e) => {
      throw new Error(`${e}\n${await uo.locator("#outage-form").textContent()}`);
    });
    const row = uo.locator("tr[data-outage]", { hasText: reason });
    await row.waitFor();
    expect(await row.textContent()).toContain(w.building.street);
    await shot(uo, "uo-outages");
    // The card of a ticket in that building shows the outage.
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id, description: "Нет горячей воды" });
    const card = await uo.context().newPage();
    await card.goto(`${app.url}/panel/tickets/${t.id}`);
    await card.locator("[data-building-outages] li", { hasText: reason }).waitFor();
    await card.close();
    await row.getByRole("button", { name: "Подача восстановлена" }).click();
    await uo.locator("[data-outages] .flash.ok", { hasText: "Восстановлено" }).waitFor();
  });

  it("admin and resident pages render (screenshots)", async () => {
    const admin = await browserAs(w.users.admin);
    await admin.locator("h1", { hasText: "Категории" }).waitFor();
    await shot(admin, "admin-categories");
    await admin.goto(`${app.url}/panel/admin/status`);
    await admin.locator("[data-dead-letters] tbody td:not(:has-text('Загрузка'))").first().waitFor();
    await admin.locator("[data-backlog] tbody td:not(:has-text('Загрузка'))").first().waitFor();
    await shot(admin, "admin-status");
    const resident = admin.context();
    const page = await resident.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${app.url}/zayavka`);
    await page.locator("#street").pressSequentially(w.building.street.slice(0, 12));
    await page.locator(`#street-list option[value="${w.building.street}"]`).waitFor({ state: "attached" });
    await page.locator("#street").fill(w.building.street);
    await page.locator("#street").dispatchEvent("change");
    await page.locator(`#buildingId option[value="${w.building.id}"]`).waitFor({ state: "attached" });
    await shot(page, "resident-form-phone");
    const agency = await browserAs(w.users.agency);
    await agency.goto(`${app.url}/panel/reports`);
    await agency.locator("h1", { hasText: "Отчёты" }).waitFor();
    await shot(agency, "agency-reports");
    await agency.goto(`${app.url}/panel/requests`);
    await shot(agency, "agency-connection-requests");
  });

  it("the operator sees at once when the PBX link is lost and when it is back; the admin's status page says why", async () => {
    await amiReady();
    const operator = await browserAs(w.users.operator);
    await operator.goto(`${app.url}/panel/tickets`);
    await operator.locator("#live-status", { hasText: "подключены" }).waitFor();
    const banner = operator.locator("#pbx-link");
    await banner.waitFor({ state: "attached" });
    expect(await banner.isHidden()).toBe(true);
    const port = ami.port;
    await ami.stop();
    await operator.locator('#pbx-link[data-state="down"]', { hasText: "Нет связи с АТС" }).waitFor();
    expect(await banner.isVisible()).toBe(true);
    await shot(operator, "operator-pbx-down");
    const admin = await browserAs(w.users.admin);
    await admin.goto(`${app.url}/panel/admin/status`);
    const pbxRow = admin.locator('tr[data-pbx-state="down"]');
    expect(await pbxRow.textContent()).toContain("нет связи");
    expect(await pbxRow.textContent()).toContain("причина: connection closed");
    // The PBX is back: the banner goes without a reload.
    ami = new AmiTestServer({ user: "cti", secret: "cti_secret" });
    await ami.start(port);
    await operator.locator('#pbx-link[data-state="ready"]').waitFor({ state: "attached" });
    expect(await banner.isHidden()).toBe(true);
  });
});
