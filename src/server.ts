// The start-up file's engine: wires the database, the core, the doors and the workers.
// Dependencies point down: this file knows every door; the core knows none.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import type Router from "@koa/router";
import { createApp, type AppOptions } from "./app.ts";
import { bootstrap } from "./bootstrap.ts";
import { loadConfig, setConfig, type Config } from "./config.ts";
import { connectDatabase, type Database } from "./db/connect.ts";
import { logger } from "./logger.ts";
import { PushHub } from "./push/hub.ts";
import { telegramDoor } from "../bots/telegram/index.ts";
import { panelDoor } from "./panel/door.ts";
import { notificationsDoor } from "./jobs/door.ts";
import { telephonyDoor } from "../telephony/index.ts";
import { reportsDoor } from "./routes/open/door.ts";

/** What a door or worker gets at start-up. */
export interface DoorContext {
  cfg: Config;
  db: Database;
  hub: PushHub;
}

/** A started door (bot, telephony, panel) or worker; null when it is not configured. */
export interface Door {
  name: string;
  publicRouters?: Router[];
  routers?: Router[];
  middleware?: Koa.Middleware[];
  /** Called once the HTTP server listens (e.g. to set a webhook). */
  afterListen?(url: string): Promise<void>;
  stop?(): Promise<void>;
}
export type DoorFactory = (c: DoorContext) => Promise<Door | null>;

// vk-io alone weighs ~35 MB of memory: it is loaded only when a VK token is configured.
const vkDoor: DoorFactory = async (c) => (c.cfg.vk.token ? (await import("../bots/vk/index.ts")).vkDoor(c) : null);

/** Every door and worker, in start order. Each returns null when it is not configured. */
async function doorFactories(): Promise<DoorFactory[]> {
  return [panelDoor, telephonyDoor(), reportsDoor, telegramDoor, vkDoor, notificationsDoor];
}

export interface Platform {
  cfg: Config;
  db: Database;
  hub: PushHub;
  /** The Koa application (the security suite enumerates its mounted routes). */
  app: Koa;
  server: http.Server;
  url: string;
  doors: Door[];
  stop(): Promise<void>;
}

export interface StartOptions {
  cfg?: Config;
  demo?: boolean;
  /** Extra routers for tests or integrations. */
  app?: Partial<Omit<AppOptions, "hub">>;
  /** Replace the default doors (tests start the core alone, or with chosen doors). */
  doors?: DoorFactory[];
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
  const doors: Door[] = [];
  for (const factory of opts.doors ?? (await doorFactories())) {
    const d = await factory({ cfg, db, hub });
    if (d) {
      doors.push(d);
      logger.info({ door: d.name }, "started");
    }
  }
  const app = createApp({
    hub,
    publicRouters: [...(opts.app?.publicRouters ?? []), ...doors.flatMap((d) => d.publicRouters ?? [])],
    routers: [...(opts.app?.routers ?? []), ...doors.flatMap((d) => d.routers ?? [])],
    middleware: [...(opts.app?.middleware ?? []), ...doors.flatMap((d) => d.middleware ?? [])],
  });
  const server = http.createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(cfg.http.port, cfg.http.host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  for (const d of doors) await d.afterListen?.(url);
  logger.info({ url, embedded: !!db.embedded }, "Open Pechora is listening");
  let stopping: Promise<void> | undefined;
  return {
    cfg,
    db,
    hub,
    app,
    server,
    url,
    doors,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        for (const d of [...doors].reverse()) await d.stop?.().catch((err) => logger.warn({ err, door: d.name }, "stop failed"));
        await hub.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
