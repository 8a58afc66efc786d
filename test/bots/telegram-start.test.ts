// Telegram unreachable when the platform starts: the platform starts anyway (panel, API, other
// doors work) and the bot keeps trying to register its webhook until the Bot API answers.
import { afterAll, beforeAll, expect, it } from "vitest";
import { setupTestDb, type TestDb } from "../support/db.ts";
import { startTestApp } from "../support/app.ts";
import { startBotApiServer, type BotApiServer } from "../support/botApiServer.ts";
import type { Platform } from "../../src/server.ts";
import { telegramDoor } from "../../bots/telegram/index.ts";

let db: TestDb;
let tg: BotApiServer;
let app: Platform | undefined;

beforeAll(async () => {
  db = await setupTestDb();
  tg = await startBotApiServer();
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await db.close();
});

it("starts while the Bot API fails, then sets the webhook once it answers", async () => {
  tg.failNext("setWebhook", 502, "Bad Gateway");
  app = await startTestApp({
    doors: [telegramDoor],
    env: { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url, TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_SECRET: "start-secret" },
  });
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  const attempts = () => tg.calls.filter((c) => c.method === "setWebhook");
  for (let i = 0; i < 100 && !tg.webhook; i++) await new Promise((r) => setTimeout(r, 50));
  expect(attempts().map((c) => c.status)).toEqual([502, 200]);
  expect(tg.webhook?.url).toMatch(/\/bots\/telegram\/webhook$/);
}, 30_000);
