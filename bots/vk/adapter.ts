// VK ⇄ engine: vk-io contexts to `Incoming`, `Reply` to VK API calls (inline callback buttons).
import { randomInt } from "node:crypto";
import { z } from "zod";
import { APIError, type MessageContext, type MessageEventContext, type VK } from "vk-io";
import type { DeliveryResult, MessageButton, MessengerSender } from "../../src/notifications/channels.ts";
import { clip, fetchLimited } from "../engine/download.ts";
import { loadPhotos } from "../engine/photos.ts";
import type { Choice, FileRef, Incoming, Port, Reply } from "../engine/types.ts";

const label40 = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s);

/** An inline keyboard of callback buttons (the pressed button arrives as a message_event). */
export function keyboard(choices: Array<Array<Choice | MessageButton>> | undefined): string | undefined {
  if (!choices?.length) return undefined;
  return JSON.stringify({
    inline: true,
    buttons: choices.map((row) => row.map((c) => ({ action: { type: "callback", label: label40(c.label), payload: JSON.stringify({ d: c.data }) } }))),
  });
}

// What vk-io and this adapter read from a Callback API event, with its types. vk-io builds its
// context synchronously from `object` and throws on a missing part (the request then failed
// with 500 and VK redelivered it for ever); a message without peer_id became a chat "undefined".
const jsonText = z.string().refine((s) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
});
const attachment = z.object({ type: z.string() }).loose().refine((a) => typeof a[a.type] === "object" && a[a.type] !== null);
const eventShape = z.object({ type: z.string(), event_id: z.string(), object: z.record(z.string(), z.unknown()) });
const shapes: Record<string, z.ZodType> = {
  message_new: z.object({
    object: z.object({
      message: z.object({ peer_id: z.number(), from_id: z.number(), text: z.string().optional(), payload: jsonText.optional(), attachments: z.array(attachment).optional() }),
      client_info: z.object({}).loose(),
    }),
  }),
  message_event: z.object({ object: z.object({ user_id: z.number(), peer_id: z.number(), event_id: z.string() }) }),
};

/** Whether a Callback API event (other than confirmation) can be read safely. */
export function isReadableEvent(body: Record<string, unknown>): boolean {
  if (!eventShape.safeParse(body).success) return false;
  const shape = shapes[body.type as string];
  return !shape || shape.safeParse(body).success;
}

export function fromMessage(context: MessageContext, updateKey: string | undefined): Incoming {
  const base = { channel: "vk" as const, updateKey, chatId: String(context.peerId), userId: String(context.senderId) };
  const files: FileRef[] = [];
  let unsupported: string | undefined;
  for (const a of context.attachments) {
    if (a.type === "photo") {
      const url = (a as unknown as { largeSizeUrl?: string }).largeSizeUrl;
      if (url) files.push({ kind: "photo", ref: url, name: `photo-${(a as unknown as { id: number }).id}.jpg` });
    } else if (a.type === "doc") {
      const d = a as unknown as { url?: string; title?: string; size?: number; id: number };
      if (d.url) files.push({ kind: "document", ref: d.url, name: d.title ?? `doc-${d.id}`, size: d.size });
    } else unsupported ??= a.type;
  }
  if (context.hasGeo) unsupported ??= "location";
  if (files.length) return { ...base, kind: "files", files, text: context.text ?? undefined };
  if (unsupported) return { ...base, kind: "unsupported", what: unsupported };
  const text = context.text ?? "";
  const payload = context.messagePayload as { command?: string } | undefined;
  if (payload?.command === "start" || /^начать$/i.test(text.trim())) return { ...base, kind: "command", command: "start", text };
  const cmd = /^\/([a-zA-Z_]{1,32})(?:\s|$)/.exec(text);
  if (cmd) return { ...base, kind: "command", command: cmd[1]!.toLowerCase(), text };
  if (!text) return { ...base, kind: "unsupported", what: "empty" };
  return { ...base, kind: "text", text };
}

export function fromEvent(context: MessageEventContext, updateKey: string | undefined): Incoming {
  let payload: unknown = context.eventPayload;
  if (typeof payload === "string") {
    try {
      payload = JSON.parse(payload);
    } catch {
      payload = {};
    }
  }
  const d = payload && typeof payload === "object" && typeof (payload as { d?: unknown }).d === "string" ? (payload as { d: string }).d : "";
  return { channel: "vk", updateKey, chatId: String(context.peerId), userId: String(context.userId), kind: "choice", data: d };
}

export function vkPort(vk: VK, chatId: string, event?: MessageEventContext): Port {
  return {
    contactButton: false,
    async send(r: Reply) {
      await vk.api.messages.send({ peer_id: Number(chatId), message: clip(r.text), random_id: randomInt(1, 2 ** 31 - 1), keyboard: keyboard(r.choices) });
      const photos = await loadPhotos(r.photos);
      if (!photos.length) return;
      const uploaded = [];
      for (const p of photos) uploaded.push(await vk.upload.messagePhoto({ peer_id: Number(chatId), source: { value: p.data, filename: p.name } }));
      await vk.api.messages.send({ peer_id: Number(chatId), attachment: uploaded.map(String).join(","), random_id: randomInt(1, 2 ** 31 - 1) });
    },
    async ack(text?: string) {
      if (!event) return;
      if (text) await event.answer({ type: "show_snackbar", text: clip(text, 90) });
      else await vk.api.messages.sendMessageEventAnswer({ event_id: event.eventId, user_id: event.userId, peer_id: event.peerId });
    },
    download: (f: FileRef, maxBytes: number) => fetchLimited(f.ref, maxBytes),
  };
}

const RETRY_CODES = [1, 6, 9, 10];
const BLOCKED_CODES = [7, 15, 18, 900, 901, 902, 936];

export function deliveryFailure(err: unknown): DeliveryResult {
  if (err instanceof APIError) {
    const code = Number(err.code);
    // 6 (too many requests per second) and 9 (flood control) are VK's own "wait"; 1 and 10 (internal
    // errors) are failures: afterMs 0 leaves the wait to the worker's growing back-off.
    if (RETRY_CODES.includes(code)) return { status: "retry", afterMs: code === 9 ? 60_000 : code === 6 ? 1000 : 0, error: err.message };
    if (BLOCKED_CODES.includes(code)) return { status: "blocked", error: err.message };
    return { status: "failed", error: err.message };
  }
  return { status: "retry", afterMs: 0, error: err instanceof Error ? err.message : String(err) };
}

export function vkSender(vk: VK): MessengerSender {
  return {
    async send(m) {
      try {
        const id = await vk.api.messages.send({ peer_id: Number(m.chatId), message: clip(m.text), random_id: randomInt(1, 2 ** 31 - 1), keyboard: keyboard(m.buttons) });
        return { status: "sent", externalId: String(id) };
      } catch (err) {
        return deliveryFailure(err);
      }
    },
  };
}
