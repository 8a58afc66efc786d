// The start-up file's engine: wires the database, the core, the doors and the workers.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type AppOptions } from "./app.ts";
import { bootstrap } from "./bootstrap.ts";
import { loadConfig, setConfig, type Config } from "./config.ts";
import { connectDatabase, type Database } from "./db/connect.ts";
import { logger } from "./logger.ts";
import { PushHub } from "./push/hub.ts";

export interface Platform {
  cfg: Config;
  db: Database;
  hub: PushHub;
  server: http.Server;
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  cfg?: Config;
  demo?: boolean;
  /** Extra routers for tests or integrations. */
  app?: Partial<Omit<AppOptions, "hub">>;
  print?: (s: string) => void;
}

export async function startPlatform(opts: StartOptions = {}): Promise<Platform> {
  const cfg = opts.cfg ?? loadConfig();
  setConfig(cfg);
  const db = await connectDatabase(cfg);
  await bootstrap(db.sequelize, cfg, opts.print);
  if (opts.demo) {
    const { loadDemo } = await import("./demo/seed.ts");
    await loadDemo(db.sequelize, opts.print);
  }
  const hub = new PushHub(db.url);
  await hub.start();
  const stoppers: Array<() => Promise<void>> = [];
  const app = createApp({ hub, ...opts.app });
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(cfg.http.port, cfg.http.host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url, embedded: !!db.embedded }, "Open Pechora is listening");
  let stopping: Promise<void> | undefined;
  return {
    cfg,
    db,
    hub,
    server,
    url,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        for (const s of stoppers.reverse()) await s().catch((err) => logger.warn({ err }, "stop failed"));
        await hub.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
