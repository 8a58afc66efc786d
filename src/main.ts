// Start-up: `npm start` (add `-- --demo` to load the fictional demo district).
import { ConfigError, loadConfig } from "./config.ts";
import { logger } from "./logger.ts";
import { startPlatform, type Platform } from "./server.ts";

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
  // Signals are handled from the first moment: one that arrives while starting waits for the
  // start to finish, then stops everything in order (the embedded database last).
  let starting: Promise<Platform> | undefined;
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    const platform = await starting?.catch(() => null);
    await platform?.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // Registered before anything loads: the embedded database package drops signal handlers that
  // appear while it loads (its own), so ours must already be there.
  starting = startPlatform({ cfg, demo });
  const platform = await starting;
  process.stdout.write(`Open Pechora: ${cfg.http.publicUrl} (listening on ${platform.url})\n`);
}

main().catch((err) => {
  logger.fatal({ err }, "start failed");
  process.exit(1);
});
