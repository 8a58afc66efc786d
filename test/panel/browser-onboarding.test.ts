// Onboarding end to end in Debian's headless Chromium: a УО fills the connection form with a bad
// ИНН (error next to the field, nothing written), fixes it and submits; the agency approves in its
// workspace; the invitation link from the outbox e-mail sets a password and the new user logs in;
// then issues a messenger link code in the profile. Screenshots go to test-artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp } from "../support/app.ts";
import { makeWorld, PASSWORD, uid, type World } from "../support/factories.ts";
import { browserRequired, Browsers, browserSkipTitle, CHROMIUM, hasChromium, shot } from "../support/browser.ts";
import { panelDoor } from "../../src/panel/door.ts";
import { ConnectionRequest } from "../../src/models/ConnectionRequest.ts";
import type { Platform } from "../../src/server.ts";
import { buildingCsv, randomInn, validCard } from "../onboarding/fixtures.ts";
import { inviteToken, mailsTo } from "../onboarding/support.ts";

it("has Chromium when REQUIRE_BROWSER_TESTS=1 (CI)", () => {
  if (browserRequired) expect(hasChromium, `${CHROMIUM} is missing but REQUIRE_BROWSER_TESTS=1`).toBe(true);
});

describe.skipIf(!hasChromium)(browserSkipTitle("onboarding in a real browser"), () => {
  let db: TestDb;
  let app: Platform;
  let w: World;
  const browsers = new Browsers();

  beforeAll(async () => {
    db = await setupTestDb();
    app = await startTestApp({ doors: [panelDoor], env: { TELEGRAM_BOT_USERNAME: "pechora_test_bot" } });
    w = await makeWorld();
  });
  afterAll(async () => {
    await browsers.closeAll();
    await app?.stop();
    await db?.close();
  });

  async function login(page: Page, login: string, password: string) {
    await page.goto(`${app.url}/login`);
    await page.getByLabel("Логин").fill(login);
    await page.getByLabel("Пароль").fill(password);
    await page.getByRole("button", { name: "Войти" }).click();
    await page.waitForURL(/\/panel\//);
  }

  it("connection form → agency approval → invitation → login → messenger link code", { timeout: 120_000 }, async () => {
    const tag = uid();
    const card = validCard({ inn: "7707083894", shortName: `ООО «УК Браузер ${tag}»`, email: `uk-${tag}@pechora.ru` });
    const staffEmail = `disp-${tag}@pechora.ru`;
    const file = { name: "doma.csv", mimeType: "text/csv", buffer: Buffer.from(buildingCsv(`Браузерная-${tag}`, 3, `B${tag}`)) };

    // 1. A УО fills the form with a wrong ИНН check digit.
    const form = await browsers.open();
    await form.goto(`${app.url}/connect`);
    await form.getByRole("link", { name: /Управляющая организация/ }).click();
    for (const [k, v] of Object.entries(card)) await form.locator(`[name="card.${k}"]`).fill(v);
    await form.locator('[name="staff.0.fullName"]').fill("Смирнова Ольга Ивановна");
    await form.locator('[name="staff.0.position"]').fill("Диспетчер");
    await form.locator('[name="staff.0.email"]').fill(staffEmail);
    await form.locator('[name="served.0.name"]').fill("ООО «Водоканал»");
    await form.getByLabel("ФИО заявителя").fill("Иванов Иван Иванович");
    await form.getByLabel("E-mail для ответа").fill(`boss-${tag}@pechora.ru`);
    await form.getByLabel("Файл домов и лицевых счетов").setInputFiles(file);
    await form.getByRole("button", { name: "Отправить заявку" }).click();
    await expect.poll(() => form.locator("#f-card-inn-err").textContent()).toBe("неверное контрольное число ИНН");
    expect(await form.locator('[name="card.inn"]').getAttribute("aria-invalid")).toBe("true");
    expect(await form.locator('[name="card.shortName"]').inputValue()).toBe(card.shortName); // typed values kept
    await shot(form, "onboarding-form-errors");
    expect(await ConnectionRequest.count({ where: { card: { shortName: card.shortName! } } })).toBe(0);

    // 2. Fixed and sent again (the file is attached again, as the page asks).
    const inn = randomInn();
    await form.locator('[name="card.inn"]').fill(inn);
    await form.getByLabel("Файл домов и лицевых счетов").setInputFiles(file);
    await form.getByRole("button", { name: "Отправить заявку" }).click();
    await form.waitForURL(/\/connect\/sent$/);
    await form.getByText(/Заявка № \d+ принята, квартир в списке: 3/).waitFor();
    await shot(form, "onboarding-form-sent");

    // 3. The agency approves it in its workspace.
    const agency = await browsers.open();
    await login(agency, w.users.agency.login, PASSWORD);
    await agency.goto(`${app.url}/panel/requests`);
    const row = agency.locator("tr", { hasText: card.shortName! });
    await row.getByRole("button", { name: "Одобрить и выдать логины" }).click();
    await agency.locator("tr", { hasText: card.shortName! }).locator("td", { hasText: "одобрена" }).waitFor();
    await shot(agency, "agency-request-approved");

    // 4. The invitation e-mail (outbox email.requested) → the invitation page → a password → login.
    const mail = (await mailsTo(staffEmail)).find((m) => inviteToken(m));
    expect(mail, "invitation e-mail in the outbox").toBeTruthy();
    const link = /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/.exec(mail!.text)![0];
    const invited = await browsers.open({ width: 390, height: 844 });
    await invited.goto(`${app.url}${new URL(link).pathname}`);
    await invited.locator("#invite-login", { hasText: staffEmail }).waitFor();
    await invited.getByLabel("Новый пароль").fill("invited-password-1");
    await invited.getByLabel("Пароль ещё раз").fill("invited-password-1");
    await shot(invited, "invitation");
    await invited.getByRole("button", { name: "Задать пароль" }).click();
    await invited.waitForURL(/\/login\?login=/);
    await invited.getByText("Пароль задан").waitFor();
    expect(await invited.getByLabel("Логин").inputValue()).toBe(staffEmail);
    await invited.getByLabel("Пароль").fill("invited-password-1");
    await invited.getByRole("button", { name: "Войти" }).click();
    await invited.waitForURL(/\/panel\/tickets/);

    // 5. The new staff member issues a messenger link code in the profile.
    await invited.getByRole("link", { name: "Профиль" }).click();
    await invited.getByRole("button", { name: "Привязать мессенджер" }).click();
    const code = (await invited.locator("#link-code-value").textContent()) ?? "";
    expect(code).toMatch(/^\d{4} \d{4}$/);
    expect(await invited.locator("#link-code-deeplink").getAttribute("href")).toBe(`https://t.me/pechora_test_bot?start=link_${code.replace(" ", "")}`);
    await shot(invited, "profile-link-code");
  });
});
