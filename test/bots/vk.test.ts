// The VK bot end to end: real vk-io, the real Callback API route of the running Koa app, a local
// VK API server. Confirmation and secret, one person across VK and phone calls, a request with
// attachments, exactly-once events, a restart mid-dialogue, and Bots Long Poll.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeResident, makeWorld, PDF, PNG, uid, type World } from "../support/factories.ts";
import { startTestApp } from "../support/app.ts";
import { startVkApiServer, type VkApiServer } from "../support/vkApiServer.ts";
import type { Platform } from "../../src/server.ts";
import { VK_CALLBACK_PATH, vkDoor } from "../../bots/vk/index.ts";
import { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import { Attachment, Ticket } from "../../src/models/Ticket.ts";
import { BotSession } from "../../src/models/BotSession.ts";
import { messenger } from "../../src/notifications/channels.ts";

let db: TestDb;
let w: World;
let vk: VkApiServer;
let app: Platform;
const SECRET = `vs${uid()}`;
const CONFIRMATION = `c${uid()}`;
const PEER = 10_000_000 + Math.floor(Math.random() * 1e6);
const PHONE_DIGITS = `912${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

const env = (mode: "callback" | "longpoll") => ({
  VK_TOKEN: vk.token,
  VK_GROUP_ID: String(vk.groupId),
  VK_SECRET: SECRET,
  VK_CONFIRMATION: CONFIRMATION,
  VK_API_BASE_URL: vk.apiBaseUrl,
  VK_MODE: mode,
});
const start = (mode: "callback" | "longpoll" = "callback") => startTestApp({ doors: [vkDoor], env: env(mode) });

async function send(body: Record<string, unknown>, peer = PEER) {
  const before = vk.sent(peer).length;
  const r = await vk.deliver(app.url + VK_CALLBACK_PATH, body);
  expect(r).toEqual({ status: 200, text: "ok" });
  return vk.sent(peer).slice(before);
}
const text = (t: string, attachments?: unknown[]) => send(vk.messageNew(PEER, t, attachments));
const joined = (said: Array<{ text: string }>) => said.map((s) => s.text).join("\n---\n");
function button(label: string | RegExp): string {
  const withKb = vk.sent(PEER).filter((m) => m.keyboard);
  const kb = withKb[withKb.length - 1]!.keyboard;
  expect(kb.inline).toBe(true);
  const b = kb.buttons.flat().find((x: any) => (typeof label === "string" ? x.action.label === label : label.test(x.action.label)));
  if (!b) throw new Error(`no button ${label} in ${JSON.stringify(kb)}`);
  expect(b.action.type).toBe("callback");
  return JSON.parse(b.action.payload).d;
}
const press = (label: string | RegExp) => send(vk.messageEvent(PEER, button(label)));
const sessionOf = async (peer: number) => (await BotSession.findOne({ where: { channel: "vk", chatId: String(peer) } }))?.state as any;
const session = async () => (await BotSession.findOne({ where: { channel: "vk", chatId: String(PEER) } }))?.state as any;

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  vk = await startVkApiServer({ secret: SECRET });
  app = await start();
});
afterAll(async () => {
  await app?.stop();
  await vk?.close();
  await db.close();
});

describe("VK Callback API", () => {
  it("answers the confirmation and refuses a wrong secret or group", async () => {
    const url = app.url + VK_CALLBACK_PATH;
    expect(await vk.deliver(url, { type: "confirmation", group_id: vk.groupId, secret: SECRET })).toEqual({ status: 200, text: CONFIRMATION });
    expect((await vk.deliver(url, { ...vk.messageNew(PEER, "Начать"), secret: "wrong" })).status).toBe(403);
    expect((await vk.deliver(url, { ...vk.messageNew(PEER, "Начать"), group_id: 1 })).status).toBe(403);
    expect(vk.sent(PEER)).toHaveLength(0);
  });
});

describe("one person across VK and phone calls", () => {
  let known: Resident;
  let phoneTicket: Ticket;

  beforeAll(async () => {
    // Known from a phone call: the operator registered a ticket for them.
    known = await makeResident(w.apartments[0], `+7${PHONE_DIGITS}`);
    phoneTicket = await createTicket(actorOf(w.users.operator), { apartmentId: w.apartments[0]!.id, residentId: known.id });
  });

  it("registers by a typed phone and finds the same resident with their address and requests", async () => {
    let said = await text("Начать");
    expect(joined(said)).toContain("согласие на обработку персональных данных");
    said = await press("✅ Согласен");
    expect(joined(said)).toContain("Напишите номер мобильного телефона");
    said = await text("12345");
    expect(joined(said)).toContain("Не удалось распознать номер");
    said = await send(vk.messageNew(PEER, "", [{ type: "sticker", sticker: { sticker_id: 1, product_id: 1, images: [] } }]));
    expect(joined(said)).toContain("понимаю только текст");
    expect(await MessengerIdentity.count({ where: { channel: "vk", externalId: String(PEER) } })).toBe(0);

    said = await text(`8 (${PHONE_DIGITS.slice(0, 3)}) ${PHONE_DIGITS.slice(3, 6)}-${PHONE_DIGITS.slice(6, 8)}-${PHONE_DIGITS.slice(8)}`);
    expect(joined(said)).toContain("Мы нашли вас по номеру телефона");
    expect(joined(said)).toContain("кв. 1");
    expect(joined(said)).toContain("Главное меню");
    expect(await Resident.count({ where: { phone: `+7${PHONE_DIGITS}` } })).toBe(1);
    const identity = await MessengerIdentity.findOne({ where: { channel: "vk", externalId: String(PEER) } });
    expect(identity!.residentId).toBe(known.id);

    said = await press("📋 Мои заявки");
    expect(joined(said)).toContain(phoneTicket.number);
  });

  it("takes a request with a photo and a PDF; a duplicate event creates one ticket; a restart mid-dialogue resumes", async () => {
    let said = await text("/new");
    expect(joined(said)).toContain("Выберите раздел");
    await press("Кровля и фасад");
    await press("Протекает крыша");
    await text("Протекает крыша над кухней после дождя");
    // A file of the wrong type and a document declared too big.
    said = await text("", [vk.doc(vk.addFile(Buffer.from("MZ not a document"), "virus.pdf"), "virus.pdf", 16, "pdf")]);
    expect(joined(said)).toContain("Тип файла не поддерживается");
    said = await text("", [vk.doc(vk.addFile(PDF, "huge.pdf"), "huge.pdf", 99 * 1024 * 1024, "pdf")]);
    expect(joined(said)).toContain("Файл слишком большой");
    said = await text("вот фото", [vk.photo(vk.addFile(PNG, "p.png")), vk.doc(vk.addFile(PDF, "act.pdf"), "act.pdf", PDF.length, "pdf")]);
    expect(joined(said)).toContain("Файл принят (2 из");

    // The platform restarts in the middle of the dialogue: the session lives in PostgreSQL.
    await app.stop();
    app = await start();
    expect((await session()).step).toBe("req_files");

    await press("Готово");
    said = await press("Да, аварийная");
    expect(joined(said)).toContain("Аварийная: да");
    const submit = vk.messageEvent(PEER, button("✅ Отправить заявку"));
    await send(submit);
    const again = await vk.deliver(app.url + VK_CALLBACK_PATH, submit);
    expect(again).toEqual({ status: 200, text: "ok" });
    const tickets = await Ticket.findAll({ where: { residentId: known.id, channel: "vk" } });
    expect(tickets).toHaveLength(1);
    const t = tickets[0]!;
    expect(t.emergency).toBe(true);
    expect(t.apartmentId).toBe(w.apartments[0]!.id);
    const atts = await Attachment.findAll({ where: { ticketId: t.id }, order: [["id", "ASC"]] });
    expect(atts.map((a) => [a.kind, a.mime])).toEqual([
      ["photo", "image/png"],
      ["document", "application/pdf"],
    ]);
    const created = vk.sent(PEER).filter((m) => m.text.includes("зарегистрирована"));
    expect(created).toHaveLength(1);
    expect(created[0]!.text).toContain(t.number);
    // Every messages.send carried a random_id; every pressed button was answered.
    expect(vk.calls.filter((c) => c.method === "messages.send").every((c) => Number(c.params.random_id) > 0)).toBe(true);
    expect(vk.calls.filter((c) => c.method === "messages.sendMessageEventAnswer").length).toBeGreaterThan(3);
  });

  it("pushes through the registered VK sender and classifies VK errors", async () => {
    const sender = messenger("vk")!;
    expect(await sender.send({ chatId: String(PEER), text: "Статус изменён", buttons: [[{ label: "Подтвердить", data: "t:1:confirm" }]] })).toMatchObject({ status: "sent" });
    const last = vk.sent(PEER).at(-1)!;
    expect(last.keyboard.buttons[0][0].action).toMatchObject({ type: "callback", label: "Подтвердить" });
    vk.failNext("messages.send", 901, "Can't send messages for users without permission");
    expect(await sender.send({ chatId: String(PEER), text: "x" })).toMatchObject({ status: "blocked" });
    vk.failNext("messages.send", 9, "Flood control");
    expect(await sender.send({ chatId: String(PEER), text: "x" })).toMatchObject({ status: "retry" });
  });
});

describe("VK Bots Long Poll", () => {
  it("receives events by long polling, with the same engine", async () => {
    await app.stop();
    app = await start("longpoll");
    const peer = PEER + 1;
    const startEvent = vk.messageNew(peer, "/start");
    vk.queueEvent(startEvent);
    vk.queueEvent(startEvent); // redelivered: processed once (event_id)
    const all = () => vk.sent(peer).map((m) => m.text).join("\n");
    for (let i = 0; i < 200 && !all().includes("согласие на обработку"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(all()).toContain("согласие на обработку персональных данных");
    const kb = vk.sent(peer).at(-1)!.keyboard;
    const agree = kb.buttons.flat().find((b: any) => b.action.label === "✅ Согласен");
    expect(JSON.parse(agree.action.payload).d).toBe(`d:${(await sessionOf(peer)).n}:yes`);
    vk.queueEvent(vk.messageEvent(peer, JSON.parse(agree.action.payload).d, peer));
    for (let i = 0; i < 200 && !all().includes("Напишите номер"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(all()).toContain("Напишите номер мобильного телефона");
    expect(vk.sent(peer).filter((m) => m.text.startsWith("Здравствуйте")).length).toBe(1);
    expect(vk.calls.some((c) => c.method === "groups.getLongPollServer" && Number(c.params.group_id) === vk.groupId)).toBe(true);

    // The database fails the turn for a moment: the event is tried again, not lost (VK never
    // sends it again once the poll moved on), and the resident sees the answer, not an error.
    const other = PEER + 2;
    await db.sequelize.query("ALTER TABLE bot_updates RENAME TO bot_updates_away");
    try {
      vk.queueEvent(vk.messageNew(other, "/start"));
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      await db.sequelize.query("ALTER TABLE bot_updates_away RENAME TO bot_updates");
    }
    const theirs = () => vk.sent(other).map((m) => m.text).join("\n");
    for (let i = 0; i < 200 && !theirs().includes("согласие"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(theirs()).toContain("согласие на обработку персональных данных");
    expect(theirs()).not.toContain("Произошла ошибка");
    expect(vk.sent(other).filter((m) => m.text.startsWith("Здравствуйте")).length).toBe(1);
  });
});
