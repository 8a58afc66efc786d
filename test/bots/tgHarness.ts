// Drives the Telegram door of a running test app through the stand-in Bot API server.
import { expect } from "vitest";
import type { BotApiServer } from "../support/botApiServer.ts";
import { callbackUpdate, messageUpdate, textUpdate } from "../support/botApiServer.ts";

export interface Said {
  text: string;
  reply_markup?: any;
}

export function tgHarness(tg: BotApiServer, webhookUrl: () => string) {
  const h = {
    /** Delivers an update to the webhook; returns the messages the bot sent in reply. */
    async deliver(userId: number, update: Record<string, unknown>, expectStatus = 200): Promise<Said[]> {
      const before = tg.sent(userId).length;
      const status = await tg.deliver(update, { url: webhookUrl() });
      expect(status).toBe(expectStatus);
      return tg.sent(userId).slice(before);
    },
    text: (userId: number, text: string) => h.deliver(userId, textUpdate(tg, userId, text)),
    message: (userId: number, fields: Record<string, unknown>) => h.deliver(userId, messageUpdate(tg, userId, fields)),
    callback: (userId: number, data: string, chatId = userId) => h.deliver(userId, callbackUpdate(tg, userId, data, chatId)),
    /** The callback data of the button labelled `label` in the last message that had inline buttons. */
    button(userId: number, label: string | RegExp): string {
      const withKb = tg.sent(userId).filter((m) => m.reply_markup?.inline_keyboard);
      const last = withKb[withKb.length - 1];
      const btn = last?.reply_markup.inline_keyboard.flat().find((b: { text: string }) => (typeof label === "string" ? b.text === label : label.test(b.text)));
      if (!btn) throw new Error(`no button ${label} in ${JSON.stringify(last?.reply_markup)}`);
      return btn.callback_data;
    },
    async press(userId: number, label: string | RegExp): Promise<Said[]> {
      return h.callback(userId, h.button(userId, label));
    },
    /** The last callback answer (answerCallbackQuery) text. */
    lastAck(): string | undefined {
      const acks = tg.calls.filter((c) => c.method === "answerCallbackQuery");
      return acks[acks.length - 1]?.params.text;
    },
  };
  return h;
}

export const texts = (said: Said[]) => said.map((s) => s.text).join("\n---\n");
