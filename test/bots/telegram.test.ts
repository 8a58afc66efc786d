// The Telegram bot end to end: real telegraf, the real webhook route of the running Koa app,
// a local Bot API server. Registration, a request with two photos, bad input, my requests,
// closing the loop (confirm with rating, dispute that reopens), exactly-once updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { act, actorOf, addWorkOrder, createTicket, makeResident, makeWorld, PNG, uid, type World } from "../support/factories.ts";
import { startTestApp } from "../support/app.ts";
import { startBotApiServer, textUpdate, callbackUpdate, type BotApiServer } from "../support/botApiServer.ts";
import type { Platform } from "../../src/server.ts";
import { TELEGRAM_WEBHOOK_PATH, telegramDoor } from "../../bots/telegram/index.ts";
import { CONSENT_VERSION } from "../../bots/engine/texts.ts";
import { MessengerIdentity, Resident, ResidentApartment } from "../../src/models/Resident.ts";
import { Attachment, Ticket, TicketHistory } from "../../src/models/Ticket.ts";
import { BotSession } from "../../src/models/BotSession.ts";
import { messenger } from "../../src/notifications/channels.ts";
import { tgHarness, texts } from "./tgHarness.ts";

let db: TestDb;
let w: World;
let tg: BotApiServer;
let app: Platform;
const SECRET = `s${uid()}${uid()}`;
const USER = 600000000 + Math.floor(Math.random() * 1e6);
const PHONE = `+7912${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
let h: ReturnType<typeof tgHarness>;

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
