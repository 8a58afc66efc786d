// A small local stand-in for the Bot API's sendMessage and VK's messages.send, speaking their
// wire formats (JSON answers, 429 with parameters.retry_after, VK error 6, 403 blocked), with
// injectable failures; plus the MessengerSenders that talk to it over HTTP the way the bots do.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { DeliveryResult, MessengerMessage, MessengerSender } from "../../src/notifications/channels.ts";

export interface Received {
  channel: "telegram" | "vk";
  chatId: string;
  text: string;
  replyMarkup: unknown;
  at: number;
}

type Fault = { status: 429; retryAfter: number } | { status: 500 } | { status: 403 } | { status: 400 } | { vkError: 6 };

export interface FakeMessengerServer {
  url: string;
  received: Received[];
  /** Attempts seen, failures included. */
  attempts: number;
  /** Faults for the next requests to a chat ("*": any chat), used in order. */
  failNext(chatId: string, ...faults: Fault[]): void;
  /** Chats that blocked the bot: answered 403 for ever. */
  blocked: Set<string>;
  /** Hold answers to a chat until release(): the request stays in flight. */
  hold(chatId: string): void;
  release(): void;
  close(): Promise<void>;
}

export async function startFakeMessengerServer(): Promise<FakeMessengerServer> {
  const faults = new Map<string, Fault[]>();
  const held = new Set<string>();
  const waiting: Array<() => void> = [];
  let nextId = 1;
  const s: FakeMessengerServer = {
    url: "",
    received: [],
    attempts: 0,
    blocked: new Set(),
    failNext: (chat, ...f) => faults.set(chat, [...(faults.get(chat) ?? []), ...f]),
    hold: (chat) => held.add(chat),
    release: () => {
      held.clear();
      waiting.splice(0).forEach((f) => f());
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      s.attempts++;
      const vk = req.url!.includes("/method/messages.send");
      const p = vk ? Object.fromEntries(new URLSearchParams(body)) : JSON.parse(body || "{}");
      const chatId = String(vk ? p.peer_id : p.chat_id);
      const list = faults.get(chatId)?.length ? faults.get(chatId)! : (faults.get("*") ?? []);
      const fault = list.shift();
      const json = (status: number, o: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(o));
      };
      if (s.blocked.has(chatId)) return json(403, { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" });
      if (fault && "vkError" in fault) return json(200, { error: { error_code: 6, error_msg: "Too many requests per second" } });
      if (fault?.status === 429)
        return json(429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${fault.retryAfter}`, parameters: { retry_after: fault.retryAfter } });
      if (fault?.status === 500) return json(500, { ok: false, error_code: 500, description: "Internal Server Error" });
      if (fault?.status === 400) return json(400, { ok: false, error_code: 400, description: "Bad Request: chat not found" });
      // Like the real service, a message counts as delivered once the request arrived, whether or
      // not the sender lives to read the answer.
      s.received.push({ channel: vk ? "vk" : "telegram", chatId, text: String(vk ? p.message : p.text), replyMarkup: p.reply_markup ?? p.keyboard ?? null, at: Date.now() });
      if (held.has(chatId)) await new Promise<void>((r) => waiting.push(r));
      if (vk) return json(200, { response: nextId++ });
      return json(200, { ok: true, result: { message_id: nextId++, chat: { id: Number(chatId) }, text: p.text } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

/**
 * Test chat ids carry the port of the stand-in that owns them (port + 7 digits), so whichever
 * test process's worker sends a message, it reaches the stand-in of the test that made the chat.
 */
export function chatIdFor(s: Pick<FakeMessengerServer, "url">): string {
  return `${new URL(s.url).port}${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
}
const ownerOf = (chatId: string) => `http://127.0.0.1:${chatId.slice(0, -7)}`;

/** A Telegram sender over the Bot API wire format (what the bot's own sender does). */
export function telegramSender(token = "TEST"): MessengerSender {
  return {
    async send(m: MessengerMessage): Promise<DeliveryResult> {
      const url = ownerOf(m.chatId);
      const reply_markup = m.buttons ? { inline_keyboard: m.buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) } : undefined;
      let res: Response;
      try {
        res = await fetch(`${url}/bot${token}/sendMessage`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ chat_id: m.chatId, text: m.text, reply_markup }),
        });
      } catch (err) {
        return { status: "retry", afterMs: 0, error: `network: ${(err as Error).message}` };
      }
      const j = (await res.json()) as { ok: boolean; description?: string; parameters?: { retry_after?: number }; result?: { message_id: number } };
      if (j.ok) return { status: "sent", externalId: String(j.result!.message_id) };
      if (res.status === 429) return { status: "retry", afterMs: (j.parameters?.retry_after ?? 1) * 1000, error: `429 retry_after ${j.parameters?.retry_after}`, hold: "chat" };
      if (res.status >= 500) return { status: "retry", afterMs: 0, error: `${res.status} ${j.description}` };
      if (res.status === 403 || /chat not found/.test(j.description ?? "")) return { status: "blocked", error: `${res.status} ${j.description}` };
      return { status: "failed", error: `${res.status} ${j.description}` };
    },
  };
}

/** A VK sender over the VK API wire format (form-encoded messages.send, error 6 = too many requests). */
export function vkSender(): MessengerSender {
  return {
    async send(m: MessengerMessage): Promise<DeliveryResult> {
      const url = ownerOf(m.chatId);
      const form = new URLSearchParams({ peer_id: m.chatId, message: m.text, random_id: String(Math.floor(Math.random() * 2 ** 31)), v: "5.199" });
      const res = await fetch(`${url}/method/messages.send`, { method: "POST", body: form });
      const j = (await res.json()) as { response?: number; error?: { error_code: number; error_msg: string } };
      if (j.response !== undefined) return { status: "sent", externalId: String(j.response) };
      if (j.error?.error_code === 6) return { status: "retry", afterMs: 1000, error: `VK error 6: ${j.error.error_msg}`, hold: "channel" };
      if (j.error?.error_code === 901) return { status: "blocked", error: j.error.error_msg };
      return { status: res.status >= 500 ? "retry" : "failed", afterMs: 0, error: j.error?.error_msg ?? String(res.status) } as DeliveryResult;
    },
  };
}
