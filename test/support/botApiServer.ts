// A local Telegram Bot API server on 127.0.0.1: the real Bot API JSON over HTTP for the methods
// telegraf uses here (getMe, sendMessage, editMessageText, answerCallbackQuery, getFile + file
// download, sendPhoto, setWebhook, deleteWebhook, getUpdates), plus webhook delivery like Telegram's.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface ApiCall {
  method: string;
  params: Record<string, any>;
  /** Arrival time (epoch ms, sub-millisecond). */
  at: number;
  /** The HTTP status answered (set once the call is answered). */
  status?: number;
}

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_path: string;
  data: Buffer;
}

export interface BotApiServer {
  url: string;
  token: string;
  calls: ApiCall[];
  /** Texts and markups sent to a chat, in order. */
  sent(chatId: number | string): Array<{ text: string; reply_markup?: any }>;
  /** Registers a file the "user" uploaded; returns its file_id. */
  addFile(data: Buffer, ext?: string, fileId?: string): { file_id: string; file_unique_id: string; file_size: number };
  /** Queues an update for getUpdates (long polling). */
  queueUpdate(update: Record<string, unknown>): void;
  /** Pending updates not yet confirmed by a later getUpdates offset. */
  pending(): number;
  webhook: { url: string; secret?: string } | null;
  /** POSTs an update to the webhook like Telegram does; returns the HTTP status. */
  deliver(update: Record<string, unknown>, opts?: { url?: string; secret?: string | null }): Promise<number>;
  /** Makes the next call of `method` fail with a Bot API error. */
  failNext(method: string, error_code: number, description: string, retry_after?: number): void;
  /** Answers 429 "Too Many Requests" with `retry_after` seconds to every call for which `rule` returns a number (null: no rule). */
  throttle(rule: ((call: ApiCall) => number | null) | null): void;
  /** Answers a Bot API error (e.g. 500) to every call for which `rule` returns one (null: no rule). */
  failWhen(rule: ((call: ApiCall) => { error_code: number; description: string } | null) | null): void;
  nextUpdateId(): number;
  close(): Promise<void>;
}

const BOT = { id: 777000111, is_bot: true, first_name: "Открытая Печора", username: "open_pechora_test_bot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false };

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startBotApiServer(token = `${Math.floor(Math.random() * 1e9)}:TEST${randomBytes(8).toString("hex")}`): Promise<BotApiServer> {
  const calls: ApiCall[] = [];
  const files = new Map<string, StoredFile>();
  const queue: Array<Record<string, any>> = [];
  const failures = new Map<string, { error_code: number; description: string; parameters?: { retry_after: number } }>();
  const waiters = new Set<() => void>();
  let messageId = 100;
  let updateId = 5000;
  let closed = false;
  let throttleRule: ((call: ApiCall) => number | null) | null = null;
  let failRule: ((call: ApiCall) => { error_code: number; description: string } | null) | null = null;

  const handle = async (method: string, params: Record<string, any>, at: number): Promise<{ status: number; body: unknown }> => {
    const call: ApiCall = { method, params, at };
    calls.push(call);
    const r = await answer(call);
    call.status = r.status;
    return r;
  };

  const answer = async (call: ApiCall): Promise<{ status: number; body: unknown }> => {
    const { method, params } = call;
    const failure = failRule?.(call) ?? null;
    if (failure) return { status: failure.error_code, body: { ok: false, ...failure } };
    const retryAfter = throttleRule?.(call) ?? null;
    if (retryAfter !== null)
      return { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } };
    const fail = failures.get(method);
    if (fail) {
      failures.delete(method);
      return { status: fail.error_code, body: { ok: false, ...fail } };
    }
    const ok = (result: unknown) => ({ status: 200, body: { ok: true, result } });
    const bad = (description: string) => ({ status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${description}` } });
    switch (method) {
      case "getMe":
        return ok(BOT);
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument": {
        if (params.chat_id === undefined) return bad("chat_id is empty");
        if (method === "sendMessage" && (typeof params.text !== "string" || !params.text.length)) return bad("message text is empty");
        if (typeof params.text === "string" && params.text.length > 4096) return bad("message is too long");
        const chat = { id: Number(params.chat_id), type: "private" };
        return ok({ message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat, from: BOT, text: params.text, caption: params.caption });
      }
      case "editMessageText":
        return ok({ message_id: Number(params.message_id), date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id), type: "private" }, text: params.text });
      case "answerCallbackQuery":
        if (!params.callback_query_id) return bad("query id is empty");
        return ok(true);
      case "getFile": {
        const f = files.get(String(params.file_id));
        if (!f) return bad("invalid file_id");
        return ok({ file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.data.length, file_path: f.file_path });
      }
      case "setWebhook":
        server.webhook = { url: String(params.url), secret: params.secret_token };
        return ok(true);
      case "deleteWebhook":
        server.webhook = null;
        return ok(true);
      case "getUpdates": {
        const offset = Number(params.offset ?? 0);
        while (queue.length && queue[0]!.update_id < offset) queue.shift();
        if (!queue.length && !closed) {
          const waitMs = Math.min(Number(params.timeout ?? 0) * 1000, 1000);
          await new Promise<void>((r) => {
            const done = () => {
              waiters.delete(done);
              clearTimeout(timer);
              r();
            };
            const timer = setTimeout(done, waitMs);
            waiters.add(done);
          });
        }
        return ok(queue.slice(0, Number(params.limit ?? 100)));
      }
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: "Not Found: method not found" } };
    }
  };

  const httpServer = http.createServer(async (req, res) => {
    const at = performance.timeOrigin + performance.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      const f = fileMatch[1] === token ? [...files.values()].find((x) => x.file_path === fileMatch[2]) : undefined;
      res.writeHead(f ? 200 : 404, { "content-type": "application/octet-stream" });
      res.end(f?.data ?? "");
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m || m[1] !== token) {
      res.writeHead(m ? 401 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: m ? 401 : 404, description: m ? "Unauthorized" : "Not Found" }));
      return;
    }
    const raw = await readBody(req);
    let params: Record<string, any> = Object.fromEntries(url.searchParams);
    const type = req.headers["content-type"] ?? "";
    if (raw.length && type.includes("application/json")) params = { ...params, ...JSON.parse(raw.toString("utf8")) };
    else if (raw.length && type.includes("x-www-form-urlencoded")) params = { ...params, ...Object.fromEntries(new URLSearchParams(raw.toString("utf8"))) };
    else if (raw.length && type.includes("multipart/form-data")) {
      // Files sent by upload (sendPhoto with a buffer): fields as strings, files as their byte size.
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
      for (const [k, v] of form.entries()) params[k] = typeof v === "string" ? v : { upload: v.name, size: v.size };
    }
    const r = await handle(m[2]!, params, at);
    res.writeHead(r.status, { "content-type": "application/json" });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const port = (httpServer.address() as AddressInfo).port;

  const server: BotApiServer = {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    webhook: null,
    sent: (chatId) =>
      calls.filter((c) => c.method === "sendMessage" && String(c.params.chat_id) === String(chatId)).map((c) => ({ text: c.params.text, reply_markup: c.params.reply_markup })),
    addFile(data, ext = "jpg", fileId) {
      const id = fileId ?? `F${randomBytes(10).toString("hex")}`;
      const f: StoredFile = { file_id: id, file_unique_id: `U${randomBytes(6).toString("hex")}`, file_path: `photos/${id}.${ext}`, data };
      files.set(id, f);
      return { file_id: id, file_unique_id: f.file_unique_id, file_size: data.length };
    },
    queueUpdate(update) {
      queue.push(update);
      for (const w of [...waiters]) w();
    },
    pending: () => queue.length,
    async deliver(update, opts = {}) {
      const target = opts.url ?? server.webhook?.url;
      if (!target) throw new Error("no webhook set");
      const secret = opts.secret === undefined ? server.webhook?.secret : opts.secret;
      const res = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify(update),
      });
      await res.text();
      return res.status;
    },
    failNext(method, error_code, description, retry_after) {
      failures.set(method, { error_code, description, ...(retry_after ? { parameters: { retry_after } } : {}) });
    },
    throttle(rule) {
      throttleRule = rule;
    },
    failWhen(rule) {
      failRule = rule;
    },
    nextUpdateId: () => ++updateId,
    async close() {
      closed = true;
      for (const w of [...waiters]) w();
      await new Promise<void>((r) => {
        httpServer.close(() => r());
        httpServer.closeAllConnections();
      });
    },
  };
  return server;
}

/** Builders of the updates Telegram sends. */
export function tgUser(id: number) {
  return { id, is_bot: false, first_name: "Иван", last_name: "Петров", username: `user${id}`, language_code: "ru" };
}

export function textUpdate(s: BotApiServer, userId: number, text: string, extra: Record<string, unknown> = {}) {
  const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
  return {
    update_id: s.nextUpdateId(),
    message: { message_id: s.nextUpdateId(), date: Math.floor(Date.now() / 1000), chat: { id: userId, type: "private", first_name: "Иван" }, from: tgUser(userId), text, entities, ...extra },
  };
}

export function messageUpdate(s: BotApiServer, userId: number, fields: Record<string, unknown>, chatId = userId) {
  return {
    update_id: s.nextUpdateId(),
    message: { message_id: s.nextUpdateId(), date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, from: tgUser(userId), ...fields },
  };
}

export function callbackUpdate(s: BotApiServer, userId: number, data: string, chatId = userId) {
  return {
    update_id: s.nextUpdateId(),
    callback_query: {
      id: `cq${s.nextUpdateId()}`,
      from: tgUser(userId),
      chat_instance: "ci",
      data,
      message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, from: BOT, text: "…" },
    },
  };
}
