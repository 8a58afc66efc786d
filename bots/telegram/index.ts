// The Telegram door: telegraf translates Bot API updates, the engine does the rest.
// Webhook (secret-token header checked; answered only after the turn committed, so a crash
// makes Telegram redeliver) or long polling for a machine without a public URL.
import { timingSafeEqual } from "node:crypto";
import Router from "@koa/router";
import { bodyParser } from "@koa/bodyparser";
import { Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import type { DoorContext, DoorFactory } from "../../src/server.ts";
import { logger } from "../../src/logger.ts";
import { registerMessenger, unregisterMessenger } from "../../src/notifications/channels.ts";
import { handleIncoming } from "../engine/engine.ts";
import { schedulePruning } from "../engine/store.ts";
import { T } from "../engine/texts.ts";
import { isUpdate, telegramPort, telegramSender, toIncoming } from "./adapter.ts";

export const TELEGRAM_WEBHOOK_PATH = "/bots/telegram/webhook";

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Long polling: how long a failed turn waits before each new try. */
export const POLLING_RETRY_MS = [1_000, 3_000, 10_000];

export function createTelegramBot(token: string, apiRoot: string | undefined, mode: "webhook" | "polling", pollingRetryMs = POLLING_RETRY_MS) {
  const bot = new Telegraf(token, { telegram: apiRoot ? { apiRoot } : {} });
  const failures = new WeakMap<object, unknown>();
  bot.use(async (tctx) => {
    const inc = toIncoming(tctx.update);
    if (!inc) return;
    const port = telegramPort(tctx.telegram, inc.chatId, tctx.callbackQuery?.id);
    try {
      await handleIncoming(inc, port);
    } catch (err) {
      if (mode === "webhook") {
        logger.error({ err, updateId: tctx.update.update_id }, "telegram update failed");
        failures.set(tctx.update, err);
        return;
      }
      // Long polling: the next getUpdates confirms this batch, so Telegram would never deliver the
      // update again. The turn is tried again here while the batch waits (a database restart takes
      // seconds); a turn that did commit is known by its update id and is not run twice.
      let last = err;
      for (const wait of pollingRetryMs) {
        logger.warn({ err: last, updateId: tctx.update.update_id, retryInMs: wait }, "telegram update failed; trying again");
        await new Promise((r) => setTimeout(r, wait));
        try {
          await handleIncoming(inc, port);
          return;
        } catch (again) {
          last = again;
        }
      }
      logger.error({ err: last, updateId: tctx.update.update_id }, "telegram update failed");
      await port.send({ text: T.failure }).catch(() => {});
    }
  });
  /** Processes one update; false when it failed inside (the webhook then answers 500). */
  const process = async (update: Update): Promise<boolean> => {
    await bot.handleUpdate(update);
    return !failures.has(update);
  };
  return { bot, process };
}

export const telegramDoor: DoorFactory = async ({ cfg }: DoorContext) => {
  const tg = cfg.telegram;
  if (!tg.token) return null;
  if (tg.mode === "webhook" && !tg.webhookSecret) throw new Error("TELEGRAM_WEBHOOK_SECRET is required in webhook mode");
  const { bot, process } = createTelegramBot(tg.token, tg.apiRoot, tg.mode);
  registerMessenger("telegram", telegramSender(bot.telegram));
  const stopPruning = schedulePruning("telegram");

  const router = new Router();
  if (tg.mode === "webhook") {
    router.post(TELEGRAM_WEBHOOK_PATH, bodyParser({ enableTypes: ["json"], jsonLimit: "1mb" }), async (ctx) => {
      if (!sameSecret(ctx.get("x-telegram-bot-api-secret-token"), tg.webhookSecret!)) {
        ctx.status = 401;
        ctx.body = { error: { id: "webhook_secret_invalid", message: "Неверный секрет вебхука." } };
        return;
      }
      const update: unknown = ctx.request.body;
      if (!isUpdate(update)) {
        ctx.status = 400;
        ctx.body = { error: { id: "update_invalid", message: "Это не обновление Telegram." } };
        return;
      }
      if (!(await process(update))) {
        ctx.status = 500;
        ctx.body = { error: { id: "update_failed", message: "Обновление не обработано, повторите доставку." } };
        return;
      }
      ctx.status = 200;
      ctx.body = "ok";
    });
  }

  let polling: Promise<void> | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const allowed_updates = ["message", "callback_query"] as const;
  // Telegram unreachable at start (or polling cut later) must not stop the platform: the bot
  // keeps trying with back-off (1 s … 60 s) while everything else works.
  const connect = async (attempt: number): Promise<void> => {
    if (stopped) return;
    try {
      if (tg.mode === "webhook") {
        await bot.telegram.setWebhook(`${cfg.http.publicUrl}${TELEGRAM_WEBHOOK_PATH}`, { secret_token: tg.webhookSecret, allowed_updates: [...allowed_updates] });
        if (attempt > 0) logger.info({ attempt }, "telegram webhook set");
        return;
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot.launch({ allowedUpdates: [...allowed_updates] }, () => resolve());
        polling.then(
          () => resolve(),
          (err) => {
            reject(err);
            if (!stopped) {
              logger.error({ err }, "telegram polling stopped; restarting");
              retry = setTimeout(() => void connect(1), 5_000);
            }
          },
        );
      });
    } catch (err) {
      if (stopped) return;
      const ms = Math.min(60_000, 1_000 * 2 ** attempt);
      logger.warn({ err: (err as Error).message, retryInMs: ms }, "telegram unreachable; will retry");
      retry = setTimeout(() => void connect(attempt + 1), ms);
    }
  };
  return {
    name: "telegram",
    publicRouters: [router],
    async afterListen() {
      await connect(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      unregisterMessenger("telegram");
      stopPruning();
      if (polling) {
        bot.stop("shutdown");
        await polling.catch(() => {});
      }
    },
  };
};
