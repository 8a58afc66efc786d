// Start-up: `npm start` (add `-- --demo` to load the fictional demo district).
import { ConfigError, loadConfig } from "./config.ts";
import { logger } from "./logger.ts";
import { startPlatform } from "./server.ts";

async function main() {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const demo = process.argv.includes("--demo") || process.env.DEMO === "1";
  const platform = await startPlatform({ cfg, demo });
  process.stdout.write(`Open Pechora: ${cfg.http.publicUrl} (listening on ${platform.url})\n`);
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    await platform.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  logger.fatal({ err }, "start failed");
  process.exit(1);
});
