// A notification worker in its own process, so that a test can kill it with SIGKILL mid-batch.
// Env: DATABASE_URL, FAKE_URL (the messenger stand-in).
import { loadConfig, setConfig } from "../../src/config.ts";
import { createSequelize, setSequelize } from "../../src/db/sequelize.ts";
import { initModels } from "../../src/models/index.ts";
import { registerMessenger } from "../../src/notifications/channels.ts";
import { NotificationWorker } from "../../src/jobs/worker.ts";
import { telegramSender } from "../support/fakeTelegramSend.ts";

const url = process.env.DATABASE_URL!;
setConfig(loadConfig({ ...process.env, NODE_ENV: "test" }));
const s = createSequelize(url, 10);
setSequelize(s);
initModels(s);
registerMessenger("telegram", telegramSender());
await new NotificationWorker(url, { deliver: { backoff: () => 200 }, pollMs: 300 }).start();
process.stdout.write("ready\n");
