// The real platform as a separate process, for the bench and the fault tests: configured only by
// the environment (DATABASE_URL, PORT, TELEGRAM_*, AMI_* …), with every configured door.
// Prints "READY <url>" once it listens; SIGTERM stops it cleanly.
import { loadConfig } from "../src/config.ts";
import { startPlatform } from "../src/server.ts";

// BENCH_CORE_ONLY=1 starts the core without doors (for profiling the core alone).
const platform = await startPlatform({ cfg: loadConfig(), print: () => {}, ...(process.env.BENCH_CORE_ONLY === "1" ? { doors: [] } : {}) });
process.stdout.write(`READY ${platform.url}\n`);
const stop = async () => {
  await platform.stop().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
