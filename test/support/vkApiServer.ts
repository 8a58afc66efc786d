// A local VK API server on 127.0.0.1: form-encoded POST /method/<name> with v=5.199 and the
// access token, answers { response } or { error: { error_code, error_msg } } as VK does.
// messages.send needs random_id; groups.getLongPollServer + a Bots Long Poll endpoint; file
// downloads for attachments; and delivery of Callback API events to an app.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";

export interface VkCall {
  method: string;
  params: Record<string, string>;
}

export interface VkApiServer {
  url: string;
  apiBaseUrl: string;
  token: string;
  groupId: number;
  calls: VkCall[];
  /** Photos uploaded through the messages photo upload server. */
  uploads: Array<{ name: string; size: number }>;
  sent(peerId: number): Array<{ text: string; keyboard?: any }>;
  addFile(data: Buffer, name: string): string;
  /** Queues an event for Bots Long Poll. */
  queueEvent(event: Record<string, unknown>): void;
  /** POSTs a Callback API body; returns status and text. */
  deliver(url: string, body: Record<string, unknown>): Promise<{ status: number; text: string }>;
  failNext(method: string, error_code: number, error_msg: string): void;
  messageNew(fromId: number, text: string, attachments?: unknown[], payload?: unknown): Record<string, unknown>;
  messageEvent(userId: number, data: string, peerId?: number): Record<string, unknown>;
  photo(url: string): unknown;
  doc(url: string, title: string, size: number, ext: string): unknown;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startVkApiServer(opts: { secret?: string } = {}): Promise<VkApiServer> {
  const token = `vk1.a.${randomBytes(20).toString("hex")}`;
  const groupId = 200000000 + Math.floor(Math.random() * 1e6);
  const calls: VkCall[] = [];
  const uploads: Array<{ name: string; size: number }> = [];
  const files = new Map<string, Buffer>();
  const failures = new Map<string, { error_code: number; error_msg: string }>();
  let events: Array<Record<string, unknown>> = [];
  let ts = 1;
  let messageId = 1000;
  let eventSeq = 0;
  let closed = false;
  const waiters = new Set<() => void>();
  const lpKey = randomBytes(8).toString("hex");

  const api = (method: string, p: Record<string, string>): unknown => {
    const error = (error_code: number, error_msg: string) => ({
      error: { error_code, error_msg, request_params: Object.entries(p).filter(([k]) => k !== "access_token").map(([key, value]) => ({ key, value })) },
    });
    if (p.access_token !== token) return error(5, "User authorization failed: invalid access_token (4).");
    if (p.v !== "5.199") return error(8, "Invalid request: unsupported API version");
    const fail = failures.get(method);
    if (fail) {
      failures.delete(method);
      return error(fail.error_code, fail.error_msg);
    }
    switch (method) {
      case "messages.send":
        if (!p.random_id) return error(100, "One of the parameters specified was missing or invalid: random_id is a required parameter");
        if (!p.peer_id && !p.user_id) return error(100, "One of the parameters specified was missing or invalid: peer_id is undefined");
        if (!p.message && !p.attachment) return error(100, "One of the parameters specified was missing or invalid: message is empty or invalid");
        if ((p.message ?? "").length > 4096) return error(914, "Message is too long");
        return { response: ++messageId };
      case "messages.sendMessageEventAnswer":
        if (!p.event_id || !p.user_id || !p.peer_id) return error(100, "One of the parameters specified was missing or invalid");
        return { response: 1 };
      case "groups.getLongPollServer":
        if (Number(p.group_id) !== groupId) return error(100, "One of the parameters specified was missing or invalid: group_id is invalid");
        return { response: { key: lpKey, server: `${server.url}/lp`, ts: String(ts) } };
      case "photos.getMessagesUploadServer":
        return { response: { upload_url: `${server.url}/upload/photo`, album_id: -3, group_id: groupId } };
      case "photos.saveMessagesPhoto": {
        if (!p.photo || !p.hash) return error(100, "One of the parameters specified was missing or invalid: photo is undefined");
        return { response: [{ id: ++messageId, owner_id: -groupId, album_id: -3, access_key: "k" + messageId, date: Math.floor(Date.now() / 1000), sizes: [] }] };
      }
      case "groups.getById":
        return { response: { groups: [{ id: groupId, name: "Открытая Печора", screen_name: `club${groupId}`, type: "group" }], profiles: [] } };
      default:
        return error(3, "Unknown method passed");
    }
  };

  const httpServer = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith("/files/")) {
      const f = files.get(url.pathname.slice(7));
      res.writeHead(f ? 200 : 404, { "content-type": "application/octet-stream" });
      res.end(f ?? "");
      return;
    }
    if (url.pathname === "/upload/photo" && req.method === "POST") {
      // The photo upload server: takes a multipart "photo" field, answers server/photo/hash.
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = await new Response(new Uint8Array(Buffer.concat(chunks)), { headers: { "content-type": req.headers["content-type"] ?? "" } }).formData();
      const photo = form.get("photo") ?? form.get("file");
      if (!photo || typeof photo === "string") return json({ error: "no photo" }, 400);
      uploads.push({ name: photo.name, size: photo.size });
      return json({ server: 1, photo: JSON.stringify([{ photo: randomBytes(4).toString("hex"), sizes: [] }]), hash: randomBytes(8).toString("hex") });
    }
    if (url.pathname === "/lp") {
      if (url.searchParams.get("key") !== lpKey) return json({ failed: 2 });
      const since = Number(url.searchParams.get("ts"));
      const pick = () => events.filter((e) => Number(e.__ts) >= since);
      if (!pick().length && !closed) {
        await new Promise<void>((r) => {
          const done = () => {
            waiters.delete(done);
            clearTimeout(timer);
            r();
          };
          const timer = setTimeout(done, Math.min(Number(url.searchParams.get("wait") ?? 1), 1) * 1000);
          waiters.add(done);
        });
      }
      const out = pick();
      events = events.filter((e) => Number(e.__ts) >= since);
      return json({ ts: String(ts), updates: out.map(({ __ts, ...e }) => e) });
    }
    const m = /^\/method\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (!m || req.method !== "POST") return json({ error: { error_code: 3, error_msg: "Unknown method passed" } }, 404);
    const body = await readBody(req);
    const params = Object.fromEntries(new URLSearchParams(body));
    calls.push({ method: m[1]!, params });
    json(api(m[1]!, params));
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const port = (httpServer.address() as AddressInfo).port;

  const server: VkApiServer = {
    url: `http://127.0.0.1:${port}`,
    uploads,
    apiBaseUrl: `http://127.0.0.1:${port}/method`,
    token,
    groupId,
    calls,
    sent: (peerId) =>
      calls
        .filter((c) => c.method === "messages.send" && Number(c.params.peer_id) === peerId)
        .map((c) => ({ text: c.params.message ?? "", keyboard: c.params.keyboard ? JSON.parse(c.params.keyboard) : undefined })),
    addFile(data, name) {
      const key = `${randomBytes(6).toString("hex")}-${name}`;
      files.set(key, data);
      return `${server.url}/files/${key}`;
    },
    queueEvent(event) {
      events.push({ ...event, __ts: ts });
      ts += 1;
      for (const w of [...waiters]) w();
    },
    async deliver(url, body) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, text: await res.text() };
    },
    failNext(method, error_code, error_msg) {
      failures.set(method, { error_code, error_msg });
    },
    messageNew(fromId, text, attachments = [], payload) {
      const message = {
        date: Math.floor(Date.now() / 1000),
        from_id: fromId,
        id: ++messageId,
        out: 0,
        peer_id: fromId,
        text,
        conversation_message_id: messageId,
        fwd_messages: [],
        important: false,
        random_id: 0,
        attachments,
        is_hidden: false,
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      };
      return {
        group_id: groupId,
        type: "message_new",
        event_id: `e${randomBytes(10).toString("hex")}${++eventSeq}`,
        v: "5.199",
        object: { message, client_info: { button_actions: ["text", "callback"], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 } },
        ...(opts.secret ? { secret: opts.secret } : {}),
      };
    },
    messageEvent(userId, data, peerId = userId) {
      return {
        group_id: groupId,
        type: "message_event",
        event_id: `e${randomBytes(10).toString("hex")}${++eventSeq}`,
        v: "5.199",
        object: { user_id: userId, peer_id: peerId, event_id: randomBytes(6).toString("hex"), payload: { d: data }, conversation_message_id: 1 },
        ...(opts.secret ? { secret: opts.secret } : {}),
      };
    },
    photo(url) {
      return { type: "photo", photo: { id: ++messageId, owner_id: 1, album_id: -3, date: 0, sizes: [{ type: "x", url, width: 604, height: 453 }, { type: "w", url, width: 1280, height: 960 }], text: "" } };
    },
    doc(url, title, size, ext) {
      return { type: "doc", doc: { id: ++messageId, owner_id: 1, title, size, ext, url, date: 0, type: ext === "pdf" ? 1 : 8 } };
    },
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
