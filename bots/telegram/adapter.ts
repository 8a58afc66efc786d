// Telegram ⇄ engine: Bot API updates to `Incoming`, `Reply` to Bot API calls.
import { z } from "zod";
import type { Telegram } from "telegraf";
import { TelegramError } from "telegraf";
import type { CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update } from "telegraf/types";
import type { DeliveryResult, MessengerSender } from "../../src/notifications/channels.ts";
import { errors } from "../../src/errors.ts";
import { clip, fetchLimited } from "../engine/download.ts";
import { L } from "../engine/texts.ts";
import { loadPhotos } from "../engine/photos.ts";
import type { Choice, FileRef, Incoming, Port, Reply } from "../engine/types.ts";

const UNSUPPORTED = ["sticker", "voice", "video_note", "video", "audio", "animation", "location", "venue", "poll", "dice", "game", "story"] as const;

function fromMessage(update_id: number, m: Message): Incoming {
  const base = {
    channel: "telegram" as const,
    updateKey: String(update_id),
    chatId: String(m.chat.id),
    userId: String(m.from?.id ?? m.chat.id),
    username: m.from?.username ?? null,
    displayName: [m.from?.first_name, m.from?.last_name].filter(Boolean).join(" ") || null,
  };
  if ("text" in m) {
    const cmd = /^\/([a-zA-Z_]{1,32})(?:@\w+)?(?:\s|$)/.exec(m.text);
    if (cmd) return { ...base, kind: "command", command: cmd[1]!.toLowerCase(), text: m.text };
    return { ...base, kind: "text", text: m.text };
  }
  if ("contact" in m) return { ...base, kind: "contact", contact: { phone: m.contact.phone_number, own: m.contact.user_id === m.from?.id } };
  if ("photo" in m && m.photo.length) {
    const p = m.photo.reduce((a, b) => ((b.file_size ?? b.width * b.height) > (a.file_size ?? a.width * a.height) ? b : a));
    return { ...base, kind: "files", text: m.caption, files: [{ kind: "photo", ref: p.file_id, name: `photo-${p.file_unique_id}.jpg`, size: p.file_size }] };
  }
  if ("document" in m) {
    const d = m.document;
    const file: FileRef = { kind: "document", ref: d.file_id, name: d.file_name ?? `file-${d.file_unique_id}`, size: d.file_size, mime: d.mime_type };
    return { ...base, kind: "files", text: m.caption, files: [file] };
  }
  const what = UNSUPPORTED.find((k) => k in m) ?? "other";
  return { ...base, kind: "unsupported", what };
}

function fromCallback(update_id: number, q: CallbackQuery): Incoming {
  const chatId = q.message ? String(q.message.chat.id) : String(q.from.id);
  return {
    channel: "telegram",
    updateKey: String(update_id),
    chatId,
    userId: String(q.from.id),
    username: q.from.username ?? null,
    kind: "choice",
    data: "data" in q ? q.data : "",
  };
}

// The parts of an update the adapter reads, with their types: anything else in a body that
// claims to be an update is refused at the webhook (400) rather than failing inside (500, which
// Telegram would redeliver for ever). Fields the adapter does not read are not checked.
const idOf = z.object({ id: z.number() });
const updateShape = z.object({
  update_id: z.number(),
  message: z
    .object({
      chat: idOf,
      from: idOf.optional(),
      text: z.string().optional(),
      caption: z.string().optional(),
      contact: z.object({ phone_number: z.string(), user_id: z.number().optional() }).optional(),
      photo: z.array(z.object({ file_id: z.string(), file_unique_id: z.string(), width: z.number(), height: z.number(), file_size: z.number().optional() })).optional(),
      document: z.object({ file_id: z.string(), file_unique_id: z.string(), file_name: z.string().optional(), mime_type: z.string().optional(), file_size: z.number().optional() }).optional(),
    })
    .optional(),
  callback_query: z.object({ id: z.string(), from: idOf, data: z.string().optional(), message: z.object({ chat: idOf }).optional() }).optional(),
});

/** Whether a webhook body is an update the adapter can read safely. */
export function isUpdate(body: unknown): body is Update {
  return updateShape.safeParse(body).success;
}

/** null for updates the bot does not handle (edits, channel posts, …). */
export function toIncoming(update: Update): Incoming | null {
  if ("message" in update) return fromMessage(update.update_id, update.message);
  if ("callback_query" in update) return fromCallback(update.update_id, update.callback_query);
  return null;
}

type Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

export function markup(r: { choices?: Choice[][]; requestContact?: boolean; removeKeyboard?: boolean }): Markup | undefined {
  if (r.requestContact)
    return {
      keyboard: [[{ text: L.contact, request_contact: true }], ...(r.choices ?? []).map((row) => row.map((c) => ({ text: c.label })))],
      resize_keyboard: true,
      one_time_keyboard: true,
    };
  if (r.choices?.length) return { inline_keyboard: r.choices.map((row) => row.map((c) => ({ text: c.label, callback_data: c.data }))) };
  if (r.removeKeyboard) return { remove_keyboard: true };
  return undefined;
}

export function telegramPort(telegram: Telegram, chatId: string, callbackQueryId?: string): Port {
  return {
    contactButton: true,
    async send(r: Reply) {
      await telegram.sendMessage(chatId, clip(r.text), { reply_markup: markup(r) });
      for (const p of await loadPhotos(r.photos)) await telegram.sendPhoto(chatId, { source: p.data, filename: p.name });
    },
    async ack(text?: string) {
      if (callbackQueryId) await telegram.answerCbQuery(callbackQueryId, text ? clip(text, 200) : undefined);
    },
    async download(f: FileRef, maxBytes: number) {
      const file = await telegram.getFile(f.ref);
      if (file.file_size !== undefined && file.file_size > maxBytes) throw errors.payloadTooLarge(maxBytes);
      const link = await telegram.getFileLink(file);
      return fetchLimited(link.toString(), maxBytes);
    },
  };
}

/** Classifies a Bot API failure for the delivery worker. */
export function deliveryFailure(err: unknown): DeliveryResult {
  if (err instanceof TelegramError) {
    if (err.code === 429) return { status: "retry", afterMs: (err.parameters?.retry_after ?? 5) * 1000, error: err.description };
    if (err.code === 403 || /chat not found|user is deactivated/i.test(err.description)) return { status: "blocked", error: err.description };
    // A server error is a failure: afterMs 0 leaves the wait to the worker's growing back-off
    // (5 s, 10 s, 20 s … 10 min), so a Bot API outage of many minutes loses nothing.
    if (err.code >= 500) return { status: "retry", afterMs: 0, error: err.description };
    return { status: "failed", error: err.description };
  }
  return { status: "retry", afterMs: 0, error: err instanceof Error ? err.message : String(err) };
}

export function telegramSender(telegram: Telegram): MessengerSender {
  return {
    async send(m) {
      try {
        const sent = await telegram.sendMessage(m.chatId, clip(m.text), {
          reply_markup: m.buttons?.length ? { inline_keyboard: m.buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) } : undefined,
        });
        return { status: "sent", externalId: String(sent.message_id) };
      } catch (err) {
        return deliveryFailure(err);
      }
    },
  };
}
