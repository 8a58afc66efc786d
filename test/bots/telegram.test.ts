// The Telegram bot end to end: real telegraf, the real webhook route of the running Koa app,
// a local Bot API server. Registration, a request with two photos, bad input, my requests,
// closing the loop (confirm with rating, dispute that reopens), exactly-once updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeResident, makeWorld, PNG, uid, type World } from "../support/factories.ts";
import { startTestApp } from "../support/app.ts";
import { startBotApiServer, textUpdate, callbackUpdate, messageUpdate, type BotApiServer } from "../support/botApiServer.ts";
import { runCommand } from "../../src/context.ts";
import { outageRegistrar } from "../../src/commands/outageRegistrar.ts";
import type { Platform } from "../../src/server.ts";
import { TELEGRAM_WEBHOOK_PATH, telegramDoor } from "../../bots/telegram/index.ts";
import { CONSENT_VERSION } from "../../bots/engine/texts.ts";
import { MessengerIdentity, Resident, ResidentApartment } from "../../src/models/Resident.ts";
import { Attachment, Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { BotSession, BotUpdate } from "../../src/models/BotSession.ts";
import { pruneUpdates } from "../../bots/engine/store.ts";
import { messenger } from "../../src/notifications/channels.ts";
import { residentButtons } from "../../src/notifications/texts.ts";
import { ResidentConsent } from "../../src/models/PersonalData.ts";
import { tgHarness, texts } from "./tgHarness.ts";

let db: TestDb;
let w: World;
let tg: BotApiServer;
let app: Platform;
const SECRET = `s${uid()}${uid()}`;
const USER = 600000000 + Math.floor(Math.random() * 1e6);
const PHONE = `+7912${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
let h: ReturnType<typeof tgHarness>;

const messageUpdateFor = (userId: number, fields: Record<string, unknown>) => messageUpdate(tg, userId, fields);
const ticketsOf = async (residentId: number) => Ticket.findAll({ where: { residentId }, order: [["id", "ASC"]] });
const session = async (userId: number) => (await BotSession.findOne({ where: { channel: "telegram", chatId: String(userId) } }))?.state as any;

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  tg = await startBotApiServer();
  app = await startTestApp({
    doors: [telegramDoor],
    env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: SECRET },
  });
  h = tgHarness(tg, () => app.url + TELEGRAM_WEBHOOK_PATH);
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await db.close();
});

describe("telegram webhook", () => {
  it("registers the webhook with the secret token and refuses a wrong secret", async () => {
    expect(tg.webhook?.url).toMatch(/\/bots\/telegram\/webhook$/);
    expect(tg.webhook?.secret).toBe(SECRET);
    const status = await tg.deliver(textUpdate(tg, USER, "/start"), { url: app.url + TELEGRAM_WEBHOOK_PATH, secret: "wrong" });
    expect(status).toBe(401);
    expect(await tg.deliver(textUpdate(tg, USER, "/start"), { url: app.url + TELEGRAM_WEBHOOK_PATH, secret: null })).toBe(401);
    expect(tg.sent(USER)).toHaveLength(0);
    expect(await BotSession.count({ where: { channel: "telegram", chatId: String(USER) } })).toBe(0);
  });
});

describe("registration", () => {
  it("asks consent, takes the own phone by the contact button, binds an apartment by personal account", async () => {
    let said = await h.text(USER, "/start");
    expect(texts(said)).toContain("согласие на обработку персональных данных");
    said = await h.press(USER, "✅ Согласен");
    expect(said[0]!.reply_markup.keyboard[0][0]).toMatchObject({ request_contact: true });

    // Someone else's contact, a sticker and a voice message are refused; nothing is written.
    said = await h.message(USER, { contact: { phone_number: "79120000000", first_name: "Чужой", user_id: USER + 1 } });
    expect(texts(said)).toContain("свой номер");
    said = await h.message(USER, { sticker: { file_id: "st", file_unique_id: "st", width: 1, height: 1, is_animated: false, is_video: false, type: "regular" } });
    expect(texts(said)).toContain("понимаю только текст");
    said = await h.message(USER, { voice: { file_id: "v", file_unique_id: "v", duration: 3 } });
    expect(texts(said)).toContain("понимаю только текст");
    said = await h.text(USER, "мой телефон не скажу");
    expect(texts(said)).toContain("Не удалось распознать номер");
    expect(await MessengerIdentity.count({ where: { channel: "telegram", externalId: String(USER) } })).toBe(0);
    expect((await session(USER)).step).toBe("reg_phone");

    said = await h.message(USER, { contact: { phone_number: PHONE.slice(1), first_name: "Иван", user_id: USER } });
    expect(texts(said)).toContain("Номер сохранён");
    expect(said[0]!.reply_markup).toEqual({ remove_keyboard: true });
    expect(texts(said)).toContain("Как будем искать?");
    const resident = await Resident.findOne({ where: { phone: PHONE } });
    expect(resident!.consentVersion).toBe(CONSENT_VERSION);
    expect(resident!.consentAt).toBeInstanceOf(Date);
    expect((await ResidentConsent.findAll({ where: { residentId: resident!.id } })).map((c) => [c.version, c.channel, c.given])).toEqual([[CONSENT_VERSION, "telegram", true]]);

    await h.press(USER, "По лицевому счёту");
    said = await h.text(USER, "000000000");
    expect(texts(said)).toContain("Лицевой счёт не найден");
    said = await h.text(USER, w.apartments[1]!.personalAccount!);
    expect(texts(said)).toContain("Адрес добавлен");
    expect(texts(said)).toContain("кв. 2");
    expect(texts(said)).toContain("Главное меню");
  });

  it("refuses a second registration and writes nothing", async () => {
    const said = await h.text(USER, "/start");
    expect(texts(said)).toContain("Вы уже зарегистрированы");
    expect(await Resident.count({ where: { phone: PHONE } })).toBe(1);
    expect(await MessengerIdentity.count({ where: { channel: "telegram", externalId: String(USER) } })).toBe(1);
  });

  it("adds a second address by street → house → apartment; refuses addresses outside the district", async () => {
    await h.press(USER, "🏠 Добавить адрес");
    await h.press(USER, "Найти по улице и дому");
    let said = await h.text(USER, "Несуществующая улица");
    expect(texts(said)).toContain("Такой улицы нет среди домов района");
    said = await h.text(USER, w.building.street.split(" ").pop()!);
    expect(texts(said)).toContain("Выберите дом");
    said = await h.press(USER, "д. 1");
    expect(texts(said)).toContain("номер квартиры");
    said = await h.text(USER, "999");
    expect(texts(said)).toContain("Квартира не найдена");
    said = await h.text(USER, "3");
    expect(texts(said)).toContain("Адрес добавлен");
    const r = await Resident.findOne({ where: { phone: PHONE } });
    expect((await ResidentApartment.findAll({ where: { residentId: r!.id } })).map((l) => l.apartmentId).sort()).toEqual(
      [w.apartments[1]!.id, w.apartments[2]!.id].sort(),
    );
  });
});

describe("a new request", () => {
  it("walks address → category → description → two photos → emergency → summary → ticket; bad input changes nothing", async () => {
    const resident = (await Resident.findOne({ where: { phone: PHONE } }))!;
    let said = await h.text(USER, "/new");
    expect(texts(said)).toContain("К какому адресу относится заявка?");
    const addressButton = h.button(USER, /кв\. 2$/);
    await h.callback(USER, addressButton);
    // A stale button: the address choice again, after the dialogue moved on.
    said = await h.callback(USER, addressButton);
    expect(texts(said)).toContain("Эта кнопка устарела");
    expect(h.lastAck()).toContain("устарела");
    // A forged dialogue button.
    said = await h.callback(USER, "d:9999:g:0");
    expect(texts(said)).toContain("устарела");
    said = await h.callback(USER, "zz:evil");
    expect(texts(said)).toContain("не распознана");

    await h.press(USER, "Водоснабжение и канализация");
    said = await h.press(USER, "Течь крана, смывного бачка");
    expect(texts(said)).toContain("Опишите проблему");

    // Text expected: a sticker, a location, a photo and a 10,000-character message are refused.
    said = await h.message(USER, { sticker: { file_id: "st", file_unique_id: "st", width: 1, height: 1, is_animated: false, is_video: false, type: "regular" } });
    expect(texts(said)).toContain("понимаю только текст");
    said = await h.message(USER, { location: { latitude: 65.1, longitude: 57.2 } });
    expect(texts(said)).toContain("понимаю только текст");
    said = await h.text(USER, "а".repeat(10_000));
    expect(texts(said)).toContain("Сообщение слишком длинное");
    expect((await session(USER)).step).toBe("req_description");
    said = await h.text(USER, "ок");
    expect(texts(said)).toContain("подробнее");

    said = await h.text(USER, "На кухне течёт кран, капает уже два дня");
    expect(texts(said)).toContain("Приложите фото");

    // Wrong type (a text file called .jpg) and too big a file are refused.
    const txt = tg.addFile(Buffer.from("just text, not an image"), "txt");
    said = await h.message(USER, { document: { file_id: txt.file_id, file_unique_id: txt.file_unique_id, file_name: "photo.jpg", mime_type: "image/jpeg", file_size: txt.file_size } });
    expect(texts(said)).toContain("Тип файла не поддерживается");
    said = await h.message(USER, { document: { file_id: "big", file_unique_id: "big", file_name: "big.pdf", mime_type: "application/pdf", file_size: 50 * 1024 * 1024 } });
    expect(texts(said)).toContain("Файл слишком большой");
    expect((await session(USER)).d.files).toHaveLength(0);

    for (let i = 0; i < 2; i++) {
      const f = tg.addFile(PNG, "png");
      said = await h.message(USER, { photo: [{ ...f, width: 1, height: 1 }], caption: "вот" });
      expect(texts(said)).toContain(`Файл принят (${i + 1} из`);
    }
    said = await h.press(USER, "Готово");
    expect(texts(said)).toContain("угроза жизни");
    said = await h.press(USER, "Нет");
    expect(texts(said)).toContain("Проверьте заявку");
    expect(texts(said)).toContain("Файлы: 2");
    expect(await Ticket.count({ where: { residentId: resident.id } })).toBe(0);

    // The same "send" update delivered twice (Telegram's redelivery) and concurrently: one ticket.
    const send = callbackUpdate(tg, USER, h.button(USER, "✅ Отправить заявку"));
    const url = app.url + TELEGRAM_WEBHOOK_PATH;
    const staleBefore = tg.sent(USER).filter((m) => m.text.includes("устарела")).length;
    const statuses = await Promise.all([tg.deliver(send, { url }), tg.deliver(send, { url })]);
    expect(statuses).toEqual([200, 200]);
    expect(await tg.deliver(send, { url })).toBe(200);
    const tickets = await ticketsOf(resident.id);
    expect(tickets).toHaveLength(1);
    // The redeliveries were recognised by update_id (silently), not merely refused as stale buttons.
    expect(tg.sent(USER).filter((m) => m.text.includes("устарела")).length).toBe(staleBefore);
    const t = tickets[0]!;
    expect(t.channel).toBe("telegram");
    expect(t.apartmentId).toBe(w.apartments[1]!.id);
    expect(t.uoId).toBe(w.uo.id);
    expect(t.emergency).toBe(false);
    const created = tg.sent(USER).filter((m) => m.text.includes("зарегистрирована"));
    expect(created).toHaveLength(1);
    expect(created[0]!.text).toContain(t.number);
    expect(created[0]!.text).toContain(`Ответственная организация: ${w.uo.shortName}`);
    expect(created[0]!.text).toContain("Срок выполнения: до");
    expect(created[0]!.text).toContain(`Основание срока: ${t.deadlineBasis}`);
    const atts = await Attachment.findAll({ where: { ticketId: t.id } });
    expect(atts.map((a) => [a.kind, a.mime, a.uploadedByResidentId])).toEqual([
      ["photo", "image/png", resident.id],
      ["photo", "image/png", resident.id],
    ]);
    const hist = await TicketHistory.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    expect(hist.map((x) => x.action)).toEqual(["create", "route", "attachment_added", "attachment_added"]);
    expect(hist[0]!.actorKind).toBe("resident");
    expect((await session(USER)).step).toBe("idle");
  });

  it("cancels at any step", async () => {
    await h.text(USER, "/new");
    await h.press(USER, /кв\. 3$/);
    await h.press(USER, "Подъезд");
    let said = await h.press(USER, "✖ Отмена");
    expect(texts(said)).toContain("Действие отменено");
    expect((await session(USER)).step).toBe("idle");
    await h.text(USER, "/new");
    await h.press(USER, /кв\. 3$/);
    said = await h.text(USER, "/cancel");
    expect(texts(said)).toContain("Действие отменено");
  });

  it("answers anything unexpected with what the bot can do", async () => {
    const said = await h.text(USER, "привет, как дела?");
    expect(texts(said)).toContain("Я не понял сообщение");
    expect(said[said.length - 1]!.reply_markup.inline_keyboard.flat().map((b: { text: string }) => b.text)).toContain("📝 Новая заявка");
    expect(texts(await h.text(USER, "/help"))).toContain("Я умею");
    expect(texts(await h.text(USER, "/unknown"))).toContain("Я не понял");
  });

  it("refuses a button pressed on a message of another chat", async () => {
    const before = await session(USER);
    const said = await h.callback(USER, h.button(USER, "📝 Новая заявка"), USER + 5);
    expect(said).toHaveLength(0); // the answer goes to the button's chat, not to the person's
    expect(h.lastAck()).toContain("только в личных сообщениях");
    expect(await session(USER)).toEqual(before);
  });
});

describe("my requests and closing the loop", () => {
  let resident: Resident;
  let ticket: Ticket;
  const bringToVerified = async (t: Ticket) => {
    await act(actorOf(w.users.uo), t.id, "assign", { executorOrgId: w.contractor.id });
    await act(actorOf(w.users.contractor), t.id, "accept");
    const wo = await addWorkOrder(actorOf(w.users.contractor), t.id);
    await act(actorOf(w.users.contractor), t.id, "report", { worksDone: "Заменена прокладка", workOrderAttachmentId: wo.id });
    await act(actorOf(w.users.uo), t.id, "verify");
  };

  beforeAll(async () => {
    resident = (await Resident.findOne({ where: { phone: PHONE } }))!;
    ticket = (await ticketsOf(resident.id))[0]!;
  });

  it("lists the resident's requests and shows a card; another resident's card is not found", async () => {
    let said = await h.press(USER, "📋 Мои заявки");
    expect(texts(said)).toContain(ticket.number);
    said = await h.press(USER, new RegExp(ticket.number));
    const card = texts(said);
    expect(card).toContain("Статус: Передана в управляющую организацию");
    expect(card).toContain(`Управляющая организация: ${w.uo.shortName}`);
    expect(card).toContain("История:");
    expect(card).toContain("Заявка зарегистрирована");
    expect(card).toMatch(/Срок: до \d\d\.\d\d\.\d{4}/);

    const other = await makeResident(w.apartments[0]);
    const foreign = await createTicket(actorOf(w.users.operator), { apartmentId: w.apartments[0]!.id, residentId: other.id });
    said = await h.callback(USER, `v:${foreign.id}`);
    expect(texts(said)).toBe("Заявка не найдена.");
    said = await h.callback(USER, `t:${foreign.id}:confirm`);
    expect(texts(said)).toBe("Заявка не найдена.");
    expect((await Ticket.findByPk(foreign.id))!.status).toBe("routed");
  });

  it("pushes through the registered sender; one press confirms with a rating, then a comment", async () => {
    await bringToVerified(ticket);
    const sender = messenger("telegram")!;
    const r = await sender.send({
      chatId: String(USER),
      text: `Заявка № ${ticket.number} выполнена. Подтверждаете выполнение?`,
      buttons: [...residentButtons.confirmation(ticket.id), ...residentButtons.rating(ticket.id)],
    });
    expect(r.status).toBe("sent");
    let said = await h.press(USER, "★★★★★");
    expect(texts(said)).toContain("Спасибо за оценку: 5 из 5");
    let t = (await Ticket.findByPk(ticket.id))!;
    expect([t.status, t.closureKind, t.rating]).toEqual(["closed", "resident_confirmed", 5]);
    said = await h.text(USER, "Быстро и аккуратно");
    expect(texts(said)).toContain("Комментарий сохранён");
    t = (await Ticket.findByPk(ticket.id))!;
    expect([t.rating, t.ratingComment]).toEqual([5, "Быстро и аккуратно"]);
    // The old confirm button is stale now.
    said = await h.callback(USER, `t:${ticket.id}:confirm`);
    expect(texts(said)).toContain("Это действие уже недоступно");
    expect(await TicketHistory.count({ where: { ticketId: ticket.id, action: "confirm" } })).toBe(1);
  });

  it("a dispute asks for a comment and reopens the ticket back to the УО", async () => {
    const t2 = await createTicket(actorOf(w.users.operator), { apartmentId: w.apartments[1]!.id, residentId: resident.id, description: "Не закрывается дверь подъезда" });
    await bringToVerified(t2);
    let said = await h.callback(USER, `t:${t2.id}:dispute`);
    expect(texts(said)).toContain("Опишите, что не выполнено");
    said = await h.message(USER, { sticker: { file_id: "st", file_unique_id: "st", width: 1, height: 1, is_animated: false, is_video: false, type: "regular" } });
    expect(texts(said)).toContain("понимаю только текст");
    expect((await Ticket.findByPk(t2.id))!.status).toBe("verified");
    said = await h.text(USER, "Дверь всё так же не закрывается");
    expect(texts(said)).toContain("возвращена в управляющую организацию");
    const after = (await Ticket.findByPk(t2.id))!;
    expect([after.status, after.reopenedCount, after.uoId]).toEqual(["routed", 1, w.uo.id]);
    const h2 = await TicketHistory.findOne({ where: { ticketId: t2.id, action: "dispute" } });
    expect([h2!.reason, h2!.actorKind]).toEqual(["Дверь всё так же не закрывается", "resident"]);
  });

  it("classifies Bot API failures for the delivery worker", async () => {
    const sender = messenger("telegram")!;
    tg.failNext("sendMessage", 429, "Too Many Requests: retry after 7", 7);
    expect(await sender.send({ chatId: String(USER), text: "x" })).toMatchObject({ status: "retry", afterMs: 7000 });
    tg.failNext("sendMessage", 403, "Forbidden: bot was blocked by the user");
    expect(await sender.send({ chatId: String(USER), text: "x" })).toMatchObject({ status: "blocked" });
    tg.failNext("sendMessage", 400, "Bad Request: can't parse entities");
    expect(await sender.send({ chatId: String(USER), text: "x" })).toMatchObject({ status: "failed" });
  });
});

describe("outages at my address", () => {
  it("shows none, then a planned outage registered for the resident's building", async () => {
    let said = await h.press(USER, "🚰 Отключения по моему адресу");
    expect(texts(said)).toContain("отключений сейчас нет");
    const starts = new Date(Date.now() + 24 * 3600_000);
    await runCommand(actorOf(w.users.uo), (ctx) =>
      outageRegistrar({
        ctx,
        input: { resource: "hot_water", kind: "planned", startsAt: starts, expectedEndAt: new Date(starts.getTime() + 8 * 3600_000), reason: "Гидравлические испытания", buildingIds: [w.building.id] },
      }),
    );
    said = await h.callback(USER, "m:out");
    expect(texts(said)).toContain("горяч");
    expect(texts(said)).toContain("плановое отключение с");
    expect(texts(said)).toContain("Гидравлические испытания");
  });
});

describe("exactly once, answered after commit", () => {
  it("answers 500 when the turn fails inside (nothing written) and processes the redelivery", async () => {
    const resident = (await Resident.findOne({ where: { phone: PHONE } }))!;
    await h.text(USER, "/new");
    await h.press(USER, /кв\. 2$/);
    await h.press(USER, "Ещё ▶"); // the groups come in pages (VK shows at most 6 rows)
    await h.press(USER, "Лифт");
    await h.press(USER, "Не работает лифт");
    await h.text(USER, "Лифт стоит между этажами");
    const before = await session(USER);
    // The photo cannot be fetched yet (the Bot API answers 400 to getFile): an internal failure.
    const photo = messageUpdateFor(USER, { photo: [{ file_id: "Flater", file_unique_id: "Ulater", width: 1, height: 1, file_size: PNG.length }] });
    expect(await tg.deliver(photo, { url: app.url + TELEGRAM_WEBHOOK_PATH })).toBe(500);
    expect(await session(USER)).toEqual(before);
    tg.addFile(PNG, "png", "Flater");
    expect(await tg.deliver(photo, { url: app.url + TELEGRAM_WEBHOOK_PATH })).toBe(200);
    expect((await session(USER)).d.files).toHaveLength(1);
    await h.text(USER, "/cancel");
    expect(await Ticket.count({ where: { residentId: resident.id, description: "Лифт стоит между этажами" } })).toBe(0);
  });
});

describe("housekeeping", () => {
  it("forgets old update marks and clears a block when the person writes again", async () => {
    await BotUpdate.create({ channel: "telegram", updateKey: `old-${uid()}`, processedAt: new Date(Date.now() - 30 * 86400_000) });
    const fresh = await BotUpdate.count({ where: { channel: "telegram" } });
    expect(await pruneUpdates("telegram", 7)).toBeGreaterThanOrEqual(1);
    expect(await BotUpdate.count({ where: { channel: "telegram" } })).toBe(fresh - 1);
    await MessengerIdentity.update({ blockedAt: new Date() }, { where: { channel: "telegram", externalId: String(USER) } });
    await h.text(USER, "/menu");
    expect((await MessengerIdentity.findOne({ where: { channel: "telegram", externalId: String(USER) } }))!.blockedAt).toBeNull();
  });
});

// Last: stopping a second platform closes the shared database handle of this process.
describe("long polling", () => {
  it("receives updates by getUpdates through telegraf and stops cleanly", async () => {
    const tg2 = await startBotApiServer();
    const app2 = await startTestApp({ doors: [telegramDoor], env: { TELEGRAM_BOT_TOKEN: tg2.token, TELEGRAM_API_ROOT: tg2.url, TELEGRAM_MODE: "polling" } });
    try {
      const user = USER + 100;
      tg2.queueUpdate(textUpdate(tg2, user, "/start"));
      const all = () => tg2.sent(user).map((m) => m.text).join("\n");
      for (let i = 0; i < 200 && !all().includes("согласие"); i++) await new Promise((r) => setTimeout(r, 25));
      expect(all()).toContain("согласие на обработку персональных данных");
      expect(tg2.calls.some((c) => c.method === "deleteWebhook")).toBe(true);

      // The database fails the turn for a moment: the update is tried again, not lost, and
      // the resident sees the answer rather than "an error occurred".
      const other = USER + 101;
      await db.sequelize.query("ALTER TABLE bot_updates RENAME TO bot_updates_away");
      try {
        tg2.queueUpdate(textUpdate(tg2, other, "/start"));
        await new Promise((r) => setTimeout(r, 400));
      } finally {
        await db.sequelize.query("ALTER TABLE bot_updates_away RENAME TO bot_updates");
      }
      const theirs = () => tg2.sent(other).map((m) => m.text).join("\n");
      for (let i = 0; i < 200 && !theirs().includes("согласие"); i++) await new Promise((r) => setTimeout(r, 25));
      expect(theirs()).toContain("согласие на обработку персональных данных");
      expect(theirs()).not.toContain("Произошла ошибка");
    } finally {
      await app2.stop();
      await tg2.close();
    }
  });
});
