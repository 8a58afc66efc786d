// The VK door: vk-io translates community events, the engine does the rest.
// Callback API: the POST is handled here (not getKoaWebhookMiddleware, which answers "ok" at
// once) — `secret` checked, `confirmation` answered, "ok" only after the turn committed.
// Bots Long Poll for a machine without a public URL.
import http from "node:http";
import type https from "node:https";
import { AsyncLocalStorage } from "node:async_hooks";
import { timingSafeEqual } from "node:crypto";
import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import { VK, type MessageContext, type MessageEventContext } from "vk-io";
import type { DoorContext, DoorFactory } from "../../src/server.ts";
import type { Config } from "../../src/config.ts";
import { logger } from "../../src/logger.ts";
import { registerMessenger, unregisterMessenger } from "../../src/notifications/channels.ts";
import { handleIncoming } from "../engine/engine.ts";
import { schedulePruning } from "../engine/store.ts";
import { T } from "../engine/texts.ts";
import { fromEvent, fromMessage, isReadableEvent, vkPort, vkSender } from "./adapter.ts";

export const VK_CALLBACK_PATH = "/bots/vk/callback";

/** Bots Long Poll: how long a failed turn waits before each new try. */
export const LONGPOLL_RETRY_MS = [1_000, 3_000, 10_000];

/** The conversation a raw event belongs to (message_new or message_event), as a chat id. */
function peerOf(u: Record<string, unknown>): string | null {
  const o = u.object as { peer_id?: unknown; message?: { peer_id?: unknown } } | undefined;
  const peer = o?.message?.peer_id ?? o?.peer_id;
  return typeof peer === "number" ? String(peer) : null;
}

const sameSecret = (a: unknown, b: string) => typeof a === "string" && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createVkBot(c: Config["vk"]) {
  const vk = new VK({
    token: c.token!,
    apiLimit: 20,
    pollingGroupId: c.groupId,
    // Only set what is configured: vk-io spreads options over its defaults, undefined included.
    ...(c.apiBaseUrl ? { apiBaseUrl: c.apiBaseUrl } : {}),
    // An http:// stand-in needs an http agent (vk-io defaults to https).
    ...(c.apiBaseUrl?.startsWith("http:") ? { agent: new http.Agent() as unknown as https.Agent } : {}),
  });
  const current = new AsyncLocalStorage<{ eventId?: string; error?: unknown }>();
  const run = async (work: (port: ReturnType<typeof vkPort>) => Promise<unknown>, port: ReturnType<typeof vkPort>) => {
    try {
      await work(port);
    } catch (err) {
      logger.error({ err }, "vk update failed");
      const store = current.getStore();
      if (store) store.error = err;
      else await port.send({ text: T.failure }).catch(() => {});
    }
  };
  vk.updates.on("message_new", (context: MessageContext) => {
    if (context.isOutbox) return;
    const inc = fromMessage(context, current.getStore()?.eventId);
    return run((port) => handleIncoming(inc, port), vkPort(vk, inc.chatId));
  });
  vk.updates.on("message_event", (context: MessageEventContext) => {
    const inc = fromEvent(context, current.getStore()?.eventId);
    return run((port) => handleIncoming(inc, port), vkPort(vk, inc.chatId, context));
  });
  const dispatch = vk.updates.handleWebhookUpdate.bind(vk.updates);
  /** Processes one raw event (Callback API body or Bots Long Poll update); false when it failed inside. */
  const process = async (update: Record<string, unknown>): Promise<boolean> => {
    const store: { eventId?: string; error?: unknown } = { eventId: typeof update.event_id === "string" ? update.event_id : undefined };
    await current.run(store, () => dispatch(update)).catch((err) => (store.error = err));
    return store.error === undefined;
  };
  return { vk, process };
}

export const vkDoor: DoorFactory = async ({ cfg }: DoorContext) => {
  const c = cfg.vk;
  if (!c.token) return null;
  if (!c.groupId) throw new Error("VK_GROUP_ID is required");
  if (c.mode === "callback" && (!c.secret || !c.confirmation)) throw new Error("VK_SECRET and VK_CONFIRMATION are required in callback mode");
  const { vk, process } = createVkBot(c);
  registerMessenger("vk", vkSender(vk));
  const stopPruning = schedulePruning("vk");

  const router = new Router();
  if (c.mode === "callback") {
    router.post(VK_CALLBACK_PATH, bodyParser({ enableTypes: ["json"], jsonLimit: "1mb" }), async (ctx) => {
      const body = ctx.request.body as Record<string, unknown> | undefined;
      ctx.type = "text/plain";
      if (!body || typeof body !== "object" || typeof body.type !== "string") {
        ctx.status = 400;
        ctx.body = "bad request";
        return;
      }
      if (!sameSecret(body.secret, c.secret!) || Number(body.group_id) !== c.groupId) {
        ctx.status = 403;
        ctx.body = "forbidden";
        return;
      }
      if (body.type === "confirmation") {
        ctx.body = c.confirmation!;
        return;
      }
      if (typeof body.event_id !== "string") {
        ctx.status = 400;
        ctx.body = "no event_id";
        return;
      }
      if (!isReadableEvent(body)) {
        ctx.status = 400;
        ctx.body = "malformed event";
        return;
      }
      if (!(await process(body))) {
        ctx.status = 500; // VK redelivers
        ctx.body = "retry";
        return;
      }
      ctx.body = "ok";
    });
  }
  return {
    name: "vk",
    publicRouters: [router],
    async afterListen() {
      if (c.mode !== "longpoll") return;
      // Long Poll updates go through the same path as Callback bodies (event_id dedupe included).
      // The next poll moves `ts` past a failed event and VK never sends it again: the turn is
      // tried again here (a database restart takes seconds); a turn that did commit is known by
      // its event_id and is not run twice. Still failing, the resident is told.
      (vk.updates as unknown as { handleWebhookUpdate: (u: Record<string, unknown>) => Promise<void> }).handleWebhookUpdate = async (u) => {
        if (await process(u)) return;
        for (const wait of LONGPOLL_RETRY_MS) {
          logger.warn({ eventId: u.event_id, type: u.type, retryInMs: wait }, "vk event failed; trying again");
          await new Promise((r) => setTimeout(r, wait));
          if (await process(u)) return;
        }
        logger.error({ eventId: u.event_id, type: u.type }, "vk event failed; given up");
        const peer = peerOf(u);
        if (peer) await vkPort(vk, peer).send({ text: T.failure }).catch(() => {});
      };
      await vk.updates.startPolling();
    },
    async stop() {
      unregisterMessenger("vk");
      stopPruning();
      await vk.updates.stop();
    },
  };
};
