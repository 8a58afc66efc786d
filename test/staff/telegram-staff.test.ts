// Staff in the messenger (Telegram): link with a one-time code, receive an assignment, accept,
// dispatch a crew in the emergency window, report with a work-order photo, the УО verifies from
// its chat — every step through the same commands, recorded with the right actor. And refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, category, createTicket, makeUser, makeWorld, PNG, type World } from "../support/factories.ts";
import { startTestApp, loginAs } from "../support/app.ts";
import { startBotApiServer, type BotApiServer } from "../support/botApiServer.ts";
import { runCommand } from "../../src/context.ts";
import { attachmentAdder } from "../../src/commands/attachmentAdder.ts";
import type { Platform } from "../../src/server.ts";
import { TELEGRAM_WEBHOOK_PATH, telegramDoor } from "../../bots/telegram/index.ts";
import { notificationsDoor } from "../../src/jobs/door.ts";
import { MessengerIdentity } from "../../src/models/Resident.ts";
import { Attachment, Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { sequelize } from "../../src/db/sequelize.ts";
import { tgHarness, texts } from "../bots/tgHarness.ts";

let db: TestDb;
let w: World;
let tg: BotApiServer;
let app: Platform;
let h: ReturnType<typeof tgHarness>;
const base = 700000000 + Math.floor(Math.random() * 1e6);
const PO_TG = base + 1;
const UO_TG = base + 2;

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  tg = await startBotApiServer();
  app = await startTestApp({
    doors: [telegramDoor, notificationsDoor],
    env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "staff-secret-1" },
  });
  h = tgHarness(tg, () => app.url + TELEGRAM_WEBHOOK_PATH);
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await db.close();
});

async function codeFor(user: Parameters<typeof loginAs>[1]): Promise<string> {
  const c = await loginAs(app.url, user);
  const r = await c.post("/api/me/messenger-links/codes", {});
  expect(r.status).toBe(201);
  expect(r.body.code).toMatch(/^\d{8}$/);
  return r.body.code;
}

/** Waits until a message matching `re` reaches the chat (the delivery worker runs after commit). */
async function waitFor(chat: number, re: RegExp, ms = 20_000): Promise<{ text: string; reply_markup?: any }> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const m = tg.sent(chat).find((s) => re.test(s.text));
    if (m) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message ${re} in chat ${chat}: ${texts(tg.sent(chat))}`);
}
const buttonIn = (m: { reply_markup?: any }, label: RegExp) =>
  (m.reply_markup?.inline_keyboard ?? []).flat().find((b: { text: string }) => label.test(b.text))?.callback_data as string;

describe("linking", () => {
  it("links with a code from the panel, once; wrong, used and expired codes change nothing", async () => {
    let said = await h.text(PO_TG, "/link 1234");
    expect(texts(said)).toContain("8 цифр");
    said = await h.text(PO_TG, "/link 00000000");
    expect(texts(said)).toContain("Код не найден");
    const code = await codeFor(w.users.contractor);
    said = await h.text(PO_TG, `/link ${code.slice(0, 4)} ${code.slice(4)}`);
    expect(texts(said)).toContain("Аккаунт привязан");
    expect(texts(said)).toContain(w.users.contractor.fullName);
    const identity = await MessengerIdentity.findOne({ where: { channel: "telegram", externalId: String(PO_TG) } });
    expect(identity?.userId).toBe(w.users.contractor.id);

    said = await h.text(base + 9, `/link ${code}`);
    expect(texts(said)).toContain("уже использован");
    const stale = await codeFor(w.users.uoStaff);
    await sequelize().query("UPDATE staff_link_codes SET expires_at = now() - interval '1 minute' WHERE user_id = $1 AND used_at IS NULL", {
      bind: [w.users.uoStaff.id],
    });
    said = await h.text(base + 9, `/link ${stale}`);
    expect(texts(said)).toContain("истёк");
    expect(await MessengerIdentity.count({ where: { channel: "telegram", externalId: String(base + 9) } })).toBe(0);

    // The УО's dispatcher links through the deep link form.
    said = await h.text(UO_TG, `/start link_${await codeFor(w.users.uo)}`);
    expect(texts(said)).toContain("Аккаунт привязан");
  });

  it("an unlinked account pressing a staff button is refused", async () => {
    const said = await h.callback(base + 8, `s:1:accept:1`);
    expect(texts(said)).toContain("не привязан");
  });
});

describe("the emergency ticket from assignment to verification", () => {
  it("runs through the chats, each step by the right person", async () => {
    const op = actorOf(w.users.operator);
    const t = await createTicket(op, {
      categoryId: (await category("emergency_pipe_burst")).id,
      buildingId: w.building.id,
      apartmentId: w.apartments[0]!.id,
      residentId: w.resident.id,
      description: "Прорвало трубу в ванной, течёт на соседей",
    });
    await runCommand(op, (ctx) => attachmentAdder({ ctx, ticketId: t.id, kind: "photo", originalName: "труба.png", data: PNG }));

    // The УО hears of the new ticket with its buttons and assigns from the chat.
    const news = await waitFor(UO_TG, new RegExp(`Новая заявка: Заявка № ${t.number}`));
    await h.callback(UO_TG, buttonIn(news, /^Назначить$/));
    let said = tg.sent(UO_TG).slice(-1);
    expect(texts(said)).toContain("Кому назначить");
    await h.press(UO_TG, w.contractor.shortName);

    // The contractor receives the assignment with the address, description, contact and buttons.
    const assigned = await waitFor(PO_TG, new RegExp(`Вам назначена заявка: Заявка № ${t.number}`));
    expect(assigned.text).toContain("Прорвало трубу");
    expect(assigned.text).toContain("Контакт:");
    expect(assigned.text).toContain("Фото жителя: 1");
    const acceptOld = buttonIn(assigned, /^Принять$/);

    said = await h.callback(PO_TG, buttonIn(assigned, /Открыть заявку/));
    expect(texts(said)).toContain("АВАРИЙНАЯ");
    expect(tg.calls.some((c) => c.method === "sendPhoto" && String(c.params.chat_id) === String(PO_TG))).toBe(true);

    said = await h.callback(PO_TG, acceptOld);
    expect(texts(said)).toContain("Готово: «Принять в работу»");
    // The same button again: already done, nothing twice.
    said = await h.callback(PO_TG, acceptOld);
    expect(texts(said)).toMatch(/Уже сделано \(.*\): Принять в работу/);
    expect(await TicketHistory.count({ where: { ticketId: t.id, action: "accept" } })).toBe(1);

    await h.press(PO_TG, "Бригада выехала");
    const afterDispatch = await Ticket.findByPk(t.id);
    expect(afterDispatch!.status).toBe("crew_dispatched");
    expect(afterDispatch!.crewDispatchedAt!.getTime()).toBeLessThanOrEqual(afterDispatch!.dispatchDeadlineAt!.getTime());

    // Report: works, then a wrong file (not an image/PDF), then the work order photo.
    await h.press(PO_TG, "Выполнено");
    said = await h.text(PO_TG, "Заменён участок трубы 1 м, установлены хомуты");
    expect(texts(said)).toContain("заказа-наряда");
    const bad = tg.addFile(Buffer.from("это не картинка и не PDF".repeat(10)), "txt");
    said = await h.message(PO_TG, { document: { file_id: bad.file_id, file_unique_id: bad.file_unique_id, file_name: "naryad.txt", file_size: bad.file_size } });
    expect(texts(said)).toContain("Тип файла не поддерживается");
    expect(await Attachment.count({ where: { ticketId: t.id, kind: "work_order" } })).toBe(0);
    expect((await Ticket.findByPk(t.id))!.status).toBe("crew_dispatched");
    const photo = tg.addFile(PNG, "png");
    said = await h.message(PO_TG, { photo: [{ file_id: photo.file_id, file_unique_id: photo.file_unique_id, width: 1, height: 1, file_size: photo.file_size }] });
    expect(texts(said)).toContain("Готово: «Выполнено»");
    expect(await Attachment.count({ where: { ticketId: t.id, kind: "work_order" } })).toBe(1);

    // The УО verifies from its chat.
    const report = await waitFor(UO_TG, new RegExp(`Исполнитель сообщил о выполнении: Заявка № ${t.number}`));
    said = await h.callback(UO_TG, buttonIn(report, /^Подтвердить$/));
    expect(texts(said)).toContain("Готово: «Подтвердить выполнение»");

    const history = await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    const by = (action: string) => history.find((x) => x.action === action)?.actorUserId;
    expect((await Ticket.findByPk(t.id))!.status).toBe("verified");
    expect([by("assign"), by("accept"), by("dispatch_crew"), by("report"), by("verify")]).toEqual([
      w.users.uo.id,
      w.users.contractor.id,
      w.users.contractor.id,
      w.users.contractor.id,
      w.users.uo.id,
    ]);
  });
});

describe("lists and refusals", () => {
  it("lists my open and overdue tickets", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await sequelize().query("UPDATE tickets SET deadline_at = now() - interval '1 hour' WHERE id = $1", { bind: [t.id] });
    let said = await h.text(PO_TG, "/my");
    expect(texts(said)).toContain(`№ ${t.number}`);
    said = await h.text(PO_TG, "/overdue");
    expect(texts(said)).toContain("Просроченные заявки");
    expect(texts(said)).toContain(`№ ${t.number}`);
  });

  it("a button after reassignment answers that the ticket is gone, and changes nothing", async () => {
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    const msg = await waitFor(PO_TG, new RegExp(`Вам назначена заявка: Заявка № ${t.number}`));
    await act(actorOf(w.users.uo), t.id, "reassign", { executorOrgId: w.supplier.id, reason: "Сети РСО" });
    const said = await h.callback(PO_TG, buttonIn(msg, /^Принять$/));
    expect(texts(said)).toContain("Заявка недоступна");
    expect((await Ticket.findByPk(t.id))!.executorOrgId).toBe(w.supplier.id);
  });

  it("a disabled user's linked account can do nothing", async () => {
    const u = await makeUser("contractor", w.contractor);
    const chat = base + 5;
    await h.text(chat, `/link ${await codeFor(u)}`);
    const t = await createTicket(actorOf(w.users.operator), { buildingId: w.building.id });
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    const fresh = (await Ticket.findByPk(t.id))!;
    await u.update({ active: false });
    const said = await h.callback(chat, `s:${t.id}:accept:${fresh.version}`);
    expect(texts(said)).toContain("отключена");
    expect((await Ticket.findByPk(t.id))!.status).toBe("assigned");
  });

  it("unlinks from the chat and from the panel", async () => {
    const u = await makeUser("supplier", w.supplier);
    const chat = base + 6;
    await h.text(chat, `/link ${await codeFor(u)}`);
    let said = await h.text(chat, "/unlink");
    expect(texts(said)).toContain("отвязан");
    expect(await MessengerIdentity.count({ where: { userId: u.id } })).toBe(0);
    await h.text(chat, `/link ${await codeFor(u)}`);
    const c = await loginAs(app.url, u);
    expect((await c.get("/api/me/messenger-links")).body.items).toHaveLength(1);
    expect((await c.request("DELETE", "/api/me/messenger-links/telegram")).status).toBe(204);
    expect(await MessengerIdentity.count({ where: { userId: u.id } })).toBe(0);
    said = await h.callback(chat, "s:1:accept:1");
    expect(texts(said)).toContain("не привязан");
  });
});
