// The bad-input corpus for the resident bots: malformed and hostile updates posted to the real
// webhook routes (Telegram webhook, VK Callback API) of the running platform, with the local
// Bot API and VK API servers. For every case: the answer a messenger understands (2xx for a
// well-formed but unwanted update, 401/403 for a wrong secret, 4xx for a body that is not an
// update), nothing written that should not be (no ticket, resident, identity or consent; a
// duplicate update processed once), a clear Russian reply when the bot answers at all, and the
// bot still serving a normal update afterwards.
import { QueryTypes } from "sequelize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { actorOf, createTicket, makeResident, makeWorld, PNG, uid, type World } from "../support/factories.ts";
import { startTestApp } from "../support/app.ts";
import { callbackUpdate, messageUpdate, startBotApiServer, textUpdate, tgUser, type BotApiServer } from "../support/botApiServer.ts";
import { startVkApiServer, type VkApiServer } from "../support/vkApiServer.ts";
import type { Platform } from "../../src/server.ts";
import { TELEGRAM_WEBHOOK_PATH, telegramDoor } from "../../bots/telegram/index.ts";
import { VK_CALLBACK_PATH, vkDoor } from "../../bots/vk/index.ts";
import { MessengerIdentity, Resident } from "../../src/models/Resident.ts";
import { BotSession } from "../../src/models/BotSession.ts";
import { tgHarness } from "../bots/tgHarness.ts";

let db: TestDb;
let w: World;
let tg: BotApiServer;
let vk: VkApiServer;
let app: Platform;
let h: ReturnType<typeof tgHarness>;
let foreignTicketId = 0;
const TG_SECRET = `s${uid()}${uid()}`;
const VK_SECRET = `vs${uid()}`;
const VK_CONFIRMATION = `c${uid()}`;

// Telegram people, each parked at the step its cases need (ids apart from other files).
const base = 700_000_000 + Math.floor(Math.random() * 1e6) * 10;
const NEWBIE = base + 1; // not registered, idle
const PHONER = base + 2; // consented, asked for the phone
const PHONER2 = base + 9; // consented, asked for the phone; registers in one case
const STREETER = base + 3; // registered, typing a street name
const WRITER = base + 4; // registered, describing the problem
const FILER = base + 5; // registered, attaching files
const RESIDENT = base + 6; // registered, idle
const CONTROL = base + 7; // sends the normal update after each case
const STRANGER = base + 8; // a chat the bot never talked to
const STEPS: Record<number, string> = { [NEWBIE]: "idle", [PHONER]: "reg_phone", [STREETER]: "addr_street", [WRITER]: "req_description", [FILER]: "req_files", [RESIDENT]: "idle" };
const VK_PEER = 20_000_000 + Math.floor(Math.random() * 1e6) * 10;
const VK_CONTROL = VK_PEER + 1;

/** Rows that no bad update may add or change: counts and content hashes. */
const FROZEN = ["tickets", "ticket_history", "attachments", "residents", "resident_apartments", "messenger_identities", "resident_consents", "consent_texts"];
async function fingerprint(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of FROZEN) {
    const [row] = await db.sequelize.query<{ f: string }>(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') AS f FROM ${t} x`, { type: QueryTypes.SELECT });
    out[t] = row!.f;
  }
  return out;
}
const count = async (table: "bot_updates" | "bot_sessions") =>
  Number((await db.sequelize.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`, { type: QueryTypes.SELECT }))[0]!.n);
const stepOf = async (channel: "telegram" | "vk", chat: number) => ((await BotSession.findOne({ where: { channel, chatId: String(chat) } }))?.state as { step?: string } | undefined)?.step;

/** What a resident may read: Russian, no programmer's words. */
function clear(text: string): boolean {
  return /[а-яё]/i.test(text) && !/\b(error|undefined|null|NaN|exception|stack|object Object|Bad Request)\b/i.test(text);
}

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(app.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, text: await res.text() };
}

async function registered(tgId: number, apartmentIndex: number) {
  const r = await makeResident(w.apartments[apartmentIndex]);
  await MessengerIdentity.create({ channel: "telegram", externalId: String(tgId), residentId: r.id, userId: null, username: null, blockedAt: null });
  return r;
}

beforeAll(async () => {
  db = await setupTestDb();
  w = await makeWorld();
  tg = await startBotApiServer();
  vk = await startVkApiServer({ secret: VK_SECRET });
  app = await startTestApp({
    doors: [telegramDoor, vkDoor],
    env: {
      TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      VK_TOKEN: vk.token, VK_GROUP_ID: String(vk.groupId), VK_SECRET: VK_SECRET, VK_CONFIRMATION: VK_CONFIRMATION, VK_API_BASE_URL: vk.apiBaseUrl, VK_MODE: "callback",
    },
  });
  h = tgHarness(tg, () => app.url + TELEGRAM_WEBHOOK_PATH);
  // Park everyone at their step through the real dialogue.
  for (const id of [NEWBIE, CONTROL]) await h.text(id, "/help");
  for (const id of [PHONER, PHONER2]) {
    await h.text(id, "/start");
    await h.press(id, "✅ Согласен");
  }
  await registered(STREETER, 0);
  await h.callback(STREETER, "m:addr");
  await h.press(STREETER, "Найти по улице и дому");
  for (const [id, apt] of [[WRITER, 1], [FILER, 2]] as const) {
    await registered(id, apt);
    await h.text(id, "/new");
    await h.press(id, "Водоснабжение и канализация");
    await h.press(id, "Течь крана, смывного бачка");
  }
  await h.text(FILER, "На кухне течёт кран, капает уже два дня");
  await registered(RESIDENT, 0);
  await h.text(RESIDENT, "/menu");
  const other = await makeResident(w.apartments[1]);
  foreignTicketId = (await createTicket(actorOf(w.users.operator), { apartmentId: w.apartments[1]!.id, residentId: other.id })).id;
  await vk.deliver(app.url + VK_CALLBACK_PATH, vk.messageNew(VK_PEER, "/help"));
  await vk.deliver(app.url + VK_CALLBACK_PATH, vk.messageNew(VK_CONTROL, "/help"));
  for (const [id, step] of Object.entries({ ...STEPS, [PHONER2]: "reg_phone" })) expect(await stepOf("telegram", Number(id)), `fixture ${id}`).toBe(step);
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await vk?.close();
  await db?.close();
});

interface Outcome {
  status: number;
  /** The chat that gets the bot's answer and what it says; omitted: the bot writes to nobody. */
  says?: { to: number; text: RegExp };
  /** The answer to a pressed button (Telegram answerCallbackQuery / VK snackbar). */
  ack?: RegExp;
  /** Processed-update marks added (1 for a handled update, 0 for a refused or ignored one). */
  marks?: number;
  /** Tables the case may write to (a registration that must still work). */
  writes?: string[];
}

interface Case extends Outcome {
  name: string;
  /** The body: an update (built when the case runs, after any set-up it does), or raw text. */
  body: () => unknown | Promise<unknown>;
  raw?: boolean;
  contentType?: string;
  /** Telegram: the secret header (default the right one; null leaves it out). */
  secret?: string | null;
  /** Checks of its own, after the common ones. */
  then?: () => Promise<void>;
}

/** Runs one case and checks the common promises. */
async function check(channel: "telegram" | "vk", c: Case): Promise<void> {
  const body = await c.body();
  const payload = c.raw ? String(body) : JSON.stringify(body);
  const before = { frozen: await fingerprint(), marks: await count("bot_updates"), sessions: await count("bot_sessions") };
  const tgCalls = tg.calls.length;
  const vkCalls = vk.calls.length;

  const headers: Record<string, string> = { "content-type": c.contentType ?? "application/json" };
  if (channel === "telegram") {
    const secret = c.secret === undefined ? TG_SECRET : c.secret;
    if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
  }
  const r = await post(channel === "telegram" ? TELEGRAM_WEBHOOK_PATH : VK_CALLBACK_PATH, payload, headers);
  expect(r.status, `status; answer ${r.text.slice(0, 200)}`).toBe(c.status);
  if (channel === "telegram" && r.status >= 400) {
    const e = JSON.parse(r.text).error;
    expect(e.id).toMatch(/^[a-z0-9_]+$/);
    expect(clear(e.message), e.message).toBe(true);
  }
  if (channel === "vk" && r.status === 200) expect(r.text).toBe("ok");

  // Nothing written but the processed-update mark (and never a second one for a redelivery).
  const after = await fingerprint();
  expect(FROZEN.filter((t) => after[t] !== before.frozen[t])).toEqual(c.writes ?? []);
  expect(await count("bot_updates")).toBe(before.marks + (c.marks ?? 0));
  expect(await count("bot_sessions")).toBe(before.sessions);
  for (const [id, step] of Object.entries(STEPS)) expect(await stepOf("telegram", Number(id)), `step of ${id}`).toBe(step);

  // What the bot said, to whom, and how.
  if (channel === "telegram") {
    const calls = tg.calls.slice(tgCalls);
    const sent = calls.filter((x) => x.method === "sendMessage");
    for (const m of sent) expect(clear(m.params.text), m.params.text).toBe(true);
    expect(sent.map((m) => Number(m.params.chat_id))).toEqual(c.says ? sent.map(() => c.says!.to) : []);
    if (c.says) expect(sent.map((m) => m.params.text).join("\n")).toMatch(c.says.text);
    const acks = calls.filter((x) => x.method === "answerCallbackQuery");
    if (c.ack) expect(acks.map((a) => a.params.text ?? "").join("\n")).toMatch(c.ack);
    for (const a of acks) if (a.params.text) expect(clear(a.params.text), a.params.text).toBe(true);
  } else {
    const sent = vk.calls.slice(vkCalls).filter((x) => x.method === "messages.send");
    for (const m of sent) expect(clear(m.params.message ?? ""), m.params.message).toBe(true);
    expect(sent.map((m) => Number(m.params.peer_id))).toEqual(c.says ? sent.map(() => c.says!.to) : []);
    if (c.says) expect(sent.map((m) => m.params.message).join("\n")).toMatch(c.says.text);
    const snack = vk.calls.slice(vkCalls).filter((x) => x.method === "messages.sendMessageEventAnswer");
    if (c.ack) expect(snack.map((s) => s.params.event_data ?? "").join("\n")).toMatch(c.ack);
  }

  await c.then?.();

  // Still alive: a normal update right after is answered as usual.
  if (channel === "telegram") expect((await h.text(CONTROL, "/help")).map((s) => s.text).join("\n")).toContain("Я умею");
  else {
    const n = vk.sent(VK_CONTROL).length;
    expect(await vk.deliver(app.url + VK_CALLBACK_PATH, vk.messageNew(VK_CONTROL, "/help"))).toEqual({ status: 200, text: "ok" });
    expect(vk.sent(VK_CONTROL).slice(n).map((s) => s.text).join("\n")).toContain("Я умею");
  }
}

const msg = (userId: number, fields: Record<string, unknown>) => messageUpdate(tg, userId, fields);
const text = (userId: number, t: string) => textUpdate(tg, userId, t);
const press = (userId: number, data: string, chatId = userId) => callbackUpdate(tg, userId, data, chatId);
const sticker = { file_id: "st", file_unique_id: "st", width: 1, height: 1, is_animated: false, is_video: false, type: "regular" };
const doc = (bytes: Buffer, name: string, mime: string, size?: number) => {
  const f = tg.addFile(bytes, name.split(".").pop());
  return { document: { file_id: f.file_id, file_unique_id: f.file_unique_id, file_name: name, mime_type: mime, file_size: size ?? f.file_size } };
};
const without = (u: Record<string, any>, key: string) => {
  const { [key]: _, ...rest } = u.message;
  return { ...u, message: rest };
};
/** A VK message_new with some fields of the message replaced. */
const vkMessage = (peer: number, t: string, patch: Record<string, unknown>) => {
  const e = vk.messageNew(peer, t) as { object: { message: Record<string, unknown> } };
  Object.assign(e.object.message, patch);
  return e;
};
const handled = (to: number, says: RegExp): Outcome => ({ status: 200, says: { to, text: says }, marks: 1 });
const refusedBody: Outcome = { status: 400 };
const ignored: Outcome = { status: 200 };
const INJECT = "'; DROP TABLE residents; --";
const NOT_UNDERSTOOD = /Я не понял сообщение|Чтобы начать, отправьте \/start/;

const telegramCases: Case[] = [
  // --- the gate
  { name: "wrong secret token", body: () => text(NEWBIE, "/start"), secret: "wrong", status: 401 },
  { name: "missing secret token", body: () => text(NEWBIE, "/start"), secret: null, status: 401 },
  { name: "secret of the right length, one character off", body: () => text(NEWBIE, "/start"), secret: `${TG_SECRET.slice(0, -1)}${TG_SECRET.endsWith("x") ? "y" : "x"}`, status: 401 },
  // --- bodies that are not updates
  { name: "non-JSON body", body: () => "это не JSON {", raw: true, ...refusedBody },
  { name: "truncated JSON", body: () => JSON.stringify(text(NEWBIE, "/start")).slice(0, 40), raw: true, ...refusedBody },
  { name: "JSON array", body: () => [text(NEWBIE, "/start")], ...refusedBody },
  { name: "JSON null", body: () => "null", raw: true, ...refusedBody },
  { name: "empty object", body: () => ({}), ...refusedBody },
  { name: "update as text/plain", body: () => JSON.stringify(text(NEWBIE, "/start")), raw: true, contentType: "text/plain", ...refusedBody },
  { name: "update without update_id", body: () => ({ message: text(NEWBIE, "/help").message }), ...refusedBody },
  { name: "update_id as a string", body: () => ({ ...text(NEWBIE, "/help"), update_id: "12345" }), ...refusedBody },
  { name: "message that is not an object", body: () => ({ update_id: tg.nextUpdateId(), message: "привет" }), ...refusedBody },
  { name: "message without chat", body: () => without(text(NEWBIE, "/help"), "chat"), ...refusedBody },
  { name: "text that is a number", body: () => ({ ...text(NEWBIE, "x"), message: { ...text(NEWBIE, "x").message, text: 12345 } }), ...refusedBody },
  // --- odd but well-formed updates
  { name: "update_id negative", body: () => ({ ...text(NEWBIE, "/help"), update_id: -7 }), ...handled(NEWBIE, /Я умею/) },
  { name: "update_id beyond 2^53", body: () => ({ ...text(NEWBIE, "/help"), update_id: 2 ** 60 }), ...handled(NEWBIE, /Я умею/) },
  { name: "message without from", body: () => without(text(NEWBIE, "/help"), "from"), ...handled(NEWBIE, /Я умею/) },
  {
    name: "the same update_id delivered again",
    body: async () => {
      const u = text(NEWBIE, "/help");
      expect(await tg.deliver(u, { url: app.url + TELEGRAM_WEBHOOK_PATH })).toBe(200);
      return u;
    },
    ...ignored,
  },
  // --- text
  { name: "text of 10,000 characters", body: () => text(NEWBIE, "ж".repeat(10_000)), status: 200, says: { to: NEWBIE, text: /Сообщение слишком длинное/ } },
  { name: "text with NUL as a problem description", body: () => text(WRITER, "Течёт кран\u0000 на кухне"), status: 200, says: { to: WRITER, text: /недопустимые символы/ } },
  { name: "text with NUL as a street name", body: () => text(STREETER, "Лен\u0000ина"), status: 200, says: { to: STREETER, text: /недопустимые символы/ } },
  { name: "text with RTL override", body: () => text(NEWBIE, "\u202Eаненил ул\u202C"), ...handled(NEWBIE, NOT_UNDERSTOOD) },
  { name: "emoji-only description", body: () => text(WRITER, "🔥💧🔥💧🔥"), status: 200, says: { to: WRITER, text: /подробнее/ } },
  { name: "SQL injection as a street name", body: () => text(STREETER, INJECT), status: 200, says: { to: STREETER, text: /Такой улицы нет/ } },
  { name: "SQL injection as a command", body: () => text(NEWBIE, `/start${INJECT}`), ...handled(NEWBIE, NOT_UNDERSTOOD) },
  { name: "sticker where a description is expected", body: () => msg(WRITER, { sticker }), status: 200, says: { to: WRITER, text: /понимаю только текст/ } },
  // --- buttons
  { name: "forged callback_data", body: () => press(RESIDENT, "zz:evil"), status: 200, says: { to: RESIDENT, text: /не распознана/ }, ack: /не распознана/ },
  { name: "oversized callback_data", body: () => press(RESIDENT, `d:1:${"я".repeat(5000)}`), status: 200, says: { to: RESIDENT, text: /не распознана/ } },
  { name: "non-UTF callback_data (lone surrogate)", body: () => JSON.stringify(press(RESIDENT, "XX")).replace('"XX"', '"\\ud800m:new"'), raw: true, status: 200, says: { to: RESIDENT, text: /не распознана/ } },
  { name: "callback without data (a game button)", body: () => ({ ...press(RESIDENT, "x"), callback_query: { ...press(RESIDENT, "x").callback_query, data: undefined, game_short_name: "g" } }), status: 200, says: { to: RESIDENT, text: /не распознана/ } },
  { name: "callback for a ticket id beyond integer range", body: () => press(RESIDENT, "v:9999999999"), status: 200, says: { to: RESIDENT, text: /Заявка не найдена/ } },
  { name: "callback confirming a ticket id beyond integer range", body: () => press(RESIDENT, "t:9999999999:confirm"), status: 200, says: { to: RESIDENT, text: /Заявка не найдена/ } },
  { name: "callback for another resident's ticket", body: () => press(RESIDENT, `v:${foreignTicketId}`), status: 200, says: { to: RESIDENT, text: /Заявка не найдена/ } },
  { name: "callback from another user's chat", body: () => press(RESIDENT, "m:new", STRANGER), status: 200, says: { to: STRANGER, text: /только в личных сообщениях/ }, ack: /только в личных сообщениях/ },
  { name: "a message in a group chat", body: () => messageUpdate(tg, RESIDENT, { text: "/new" }, -100_000 - RESIDENT), status: 200, says: { to: -100_000 - RESIDENT, text: /только в личных сообщениях/ } },
  // --- update types the bot does not take
  ...(["edited_message", "channel_post", "edited_channel_post"] as const).map((type) => ({ name: `unknown update type ${type}`, body: () => ({ update_id: tg.nextUpdateId(), [type]: text(NEWBIE, "/start").message }), ...ignored })),
  { name: "unknown update type my_chat_member", body: () => ({ update_id: tg.nextUpdateId(), my_chat_member: { chat: { id: NEWBIE, type: "private" }, from: tgUser(NEWBIE), date: 1, old_chat_member: { status: "member", user: tgUser(1) }, new_chat_member: { status: "kicked", user: tgUser(1), until_date: 0 } } }), ...ignored },
  { name: "unknown update type poll", body: () => ({ update_id: tg.nextUpdateId(), poll: { id: "p", question: "?", options: [], total_voter_count: 0, is_closed: false, is_anonymous: true, type: "regular", allows_multiple_answers: false } }), ...ignored },
  // --- contacts
  { name: "contact of someone else", body: () => msg(PHONER, { contact: { phone_number: "79120000000", first_name: "Чужой", user_id: PHONER + 1000 } }), status: 200, says: { to: PHONER, text: /свой номер/ } },
  { name: "contact without user_id", body: () => msg(PHONER, { contact: { phone_number: "79120000000", first_name: "Чужой" } }), status: 200, says: { to: PHONER, text: /свой номер/ } },
  { name: "own contact with a malformed phone", body: () => msg(PHONER, { contact: { phone_number: INJECT, first_name: "Иван", user_id: PHONER } }), status: 200, says: { to: PHONER, text: /Не удалось распознать номер/ } },
  {
    name: "own contact with NUL in the name still registers",
    body: () => messageUpdate(tg, PHONER2, { contact: { phone_number: `7912${String(PHONER2).slice(-7)}`, first_name: "Ив\u0000ан", user_id: PHONER2 }, from: { ...tgUser(PHONER2), first_name: "Ив\u0000ан", username: "iv\u0000an" } }),
    ...handled(PHONER2, /Номер сохранён/),
    writes: ["residents", "messenger_identities", "resident_consents", "consent_texts"],
    then: async () => {
      const identity = await MessengerIdentity.findOne({ where: { channel: "telegram", externalId: String(PHONER2) } });
      const resident = await Resident.findByPk(identity?.residentId ?? 0);
      expect([identity?.username, resident?.fullName]).toEqual(["ivan", "Иван Петров"]);
    },
  },
  { name: "own contact with a 300-digit phone", body: () => msg(PHONER, { contact: { phone_number: "7".repeat(300), first_name: "Иван", user_id: PHONER } }), status: 200, says: { to: PHONER, text: /Не удалось распознать номер/ } },
  // --- files
  { name: "document with a huge file_size", body: () => msg(FILER, doc(PNG, "big.pdf", "application/pdf", 2 ** 40)), status: 200, says: { to: FILER, text: /Файл слишком большой/ } },
  { name: "document of a forbidden type (exe)", body: () => msg(FILER, doc(Buffer.from("MZ\x90\x00\x03 not a document"), "virus.exe", "application/x-msdownload")), status: 200, says: { to: FILER, text: /Тип файла не поддерживается/ } },
  { name: "text file declared as a JPEG", body: () => msg(FILER, doc(Buffer.from("just text"), "photo.jpg", "image/jpeg")), status: 200, says: { to: FILER, text: /Тип файла не поддерживается/ } },
  {
    name: "document with NUL in its file name",
    body: () => msg(FILER, doc(PNG, "фото\u0000.png", "image/png")),
    ...handled(FILER, /Файл принят/),
    then: async () => expect(((await BotSession.findOne({ where: { channel: "telegram", chatId: String(FILER) } }))?.state as any).d.files.map((f: { name: string }) => f.name)).toEqual(["фото.png"]),
  },
  { name: "photo array empty", body: () => msg(FILER, { photo: [] }), status: 200, says: { to: FILER, text: /[а-яё]/i } },
  { name: "document when no file is expected", body: () => msg(NEWBIE, doc(PNG, "a.png", "image/png")), status: 200, says: { to: NEWBIE, text: /не жду файлов/ } },
];

const vkCases: Case[] = [
  { name: "wrong secret", body: () => ({ ...vk.messageNew(VK_PEER, "Начать"), secret: "wrong" }), status: 403 },
  { name: "missing secret", body: () => ({ ...vk.messageNew(VK_PEER, "Начать"), secret: undefined }), status: 403 },
  { name: "confirmation asked with a wrong secret", body: () => ({ type: "confirmation", group_id: vk.groupId, secret: "wrong" }), status: 403 },
  { name: "wrong group_id", body: () => ({ ...vk.messageNew(VK_PEER, "Начать"), group_id: vk.groupId + 1 }), status: 403 },
  { name: "non-JSON body", body: () => "type=message_new", raw: true, status: 400 },
  { name: "JSON array", body: () => [vk.messageNew(VK_PEER, "Начать")], status: 400 },
  { name: "type missing", body: () => ({ ...vk.messageNew(VK_PEER, "Начать"), type: undefined }), status: 400 },
  { name: "event_id missing", body: () => ({ ...vk.messageNew(VK_PEER, "/help"), event_id: undefined }), status: 400 },
  { name: "unknown event type", body: () => ({ ...vk.messageNew(VK_PEER, "/help"), type: "wall_post_new" }), ...ignored },
  { name: "message_new without object", body: () => ({ ...vk.messageNew(VK_PEER, "/help"), object: undefined }), status: 400 },
  { name: "message_new without message", body: () => ({ ...vk.messageNew(VK_PEER, "/help"), object: { client_info: {} } }), status: 400 },
  {
    name: "message_new without peer_id",
    body: () => {
      const e = vk.messageNew(VK_PEER, "/help") as any;
      delete e.object.message.peer_id;
      return e;
    },
    status: 400,
  },
  { name: "message payload that is not JSON", body: () => vkMessage(VK_PEER, "/help", { payload: "{not json" }), status: 400 },
  { name: "attachment without its object", body: () => vkMessage(VK_PEER, "", { attachments: [{ type: "photo" }] }), status: 400 },
  { name: "from_id as a string", body: () => vkMessage(VK_PEER, "/help", { from_id: "abc" }), status: 400 },
  { name: "button payload that is not JSON", body: () => ({ ...vk.messageEvent(VK_PEER, "x"), object: { ...(vk.messageEvent(VK_PEER, "x").object as any), payload: "{not json" } }), status: 200, says: { to: VK_PEER, text: /не распознана/ }, ack: /не распознана/ },
  { name: "button pressed in another user's dialogue", body: () => vk.messageEvent(VK_PEER, "m:new", VK_PEER + 5), status: 200, says: { to: VK_PEER + 5, text: /только в личных сообщениях/ }, ack: /только в личных сообщениях/ },
  { name: "huge payload (over 1 MB)", body: () => vkMessage(VK_PEER, "/help", { payload: JSON.stringify({ x: "я".repeat(600_000) }) }), status: 413 },
  { name: "text of 10,000 characters", body: () => vk.messageNew(VK_PEER, "ж".repeat(10_000)), status: 200, says: { to: VK_PEER, text: /Сообщение слишком длинное/ } },
  {
    name: "the same event_id delivered again",
    body: async () => {
      const e = vk.messageNew(VK_PEER, "/help");
      expect(await vk.deliver(app.url + VK_CALLBACK_PATH, e)).toEqual({ status: 200, text: "ok" });
      return e;
    },
    ...ignored,
  },
];

describe("bad Telegram updates", () => {
  for (const c of telegramCases) it(c.name, () => check("telegram", c));
});

describe("bad VK Callback API events", () => {
  for (const c of vkCases) it(c.name, () => check("vk", c));
});
