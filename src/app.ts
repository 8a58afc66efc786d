// The Koa application: middleware, the core API, and whatever doors the start-up file mounts.
import Koa from "koa";
import { bodyParser } from "@koa/bodyparser";
import type Router from "@koa/router";
import { randomUUID } from "node:crypto";
import "./policies/all.ts";
import { logger } from "./logger.ts";
import type { PushHub } from "./push/hub.ts";
import { authenticate, csrfGuard } from "./routes/middleware/auth.ts";
import { errorHandler } from "./routes/middleware/errors.ts";
import { securityHeaders } from "./routes/middleware/security.ts";
import { healthRouter } from "./routes/health.ts";
import { securityTxtRouter } from "./routes/security-txt.ts";
import { authRouter } from "./routes/api/auth.ts";
import { onboardingRouter } from "./routes/api/onboarding.ts";
import { conflictsRouter } from "./routes/api/conflicts.ts";
import { personalDataRouter } from "./routes/api/personal-data.ts";
import { ticketsRouter } from "./routes/api/tickets.ts";
import { directoryRouter } from "./routes/api/directory.ts";
import { attachmentsRouter } from "./routes/api/attachments.ts";
import { streamRouter } from "./routes/api/stream.ts";
import { messengerLinksRouter } from "./routes/api/messengerLinks.ts";
import { outagesRouter } from "./routes/api/outages.ts";
import { notificationsRouter } from "./routes/api/notifications.ts";
import { callsRouter } from "./routes/api/calls.ts";

export interface AppOptions {
  hub: PushHub;
  /** Routers mounted before authentication (webhooks, public pages with their own checks). */
  publicRouters?: Router[];
  /** Routers mounted after authentication (they read ctx.state.actor). */
  routers?: Router[];
  /** Koa middleware mounted last (e.g. the panel's pages). */
  middleware?: Koa.Middleware[];
}

export function createApp(opts: AppOptions): Koa {
  const app = new Koa({ proxy: process.env.TRUST_PROXY === "1" });
  app.on("error", (err: NodeJS.ErrnoException) => {
    // A browser closing its live stream is not an error.
    if (err.code === "ERR_STREAM_PREMATURE_CLOSE" || err.code === "ECONNRESET" || err.code === "EPIPE") return;
    logger.error({ err }, "koa error");
  });
  app.use(async (ctx, next) => {
    const start = performance.now();
    ctx.set("X-Request-Id", randomUUID());
    try {
      await next();
    } finally {
      const ms = Math.round(performance.now() - start);
      if (ctx.status >= 500) logger.error({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, "request");
      else logger.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, "request");
    }
  });
  app.use(securityHeaders);
  app.use(errorHandler);
  for (const r of [healthRouter(), securityTxtRouter(), ...(opts.publicRouters ?? [])]) app.use(r.routes()).use(r.allowedMethods());
  app.use(bodyParser({ enableTypes: ["json", "form"], jsonLimit: "1mb", formLimit: "1mb", encoding: "utf-8" }));
  app.use(authenticate);
  app.use(csrfGuard);
  for (const r of [authRouter(), ticketsRouter(), directoryRouter(), attachmentsRouter(), streamRouter(opts.hub), messengerLinksRouter(), callsRouter(), outagesRouter(), notificationsRouter(), ...(opts.routers ?? [])])
    app.use(r.routes()).use(r.allowedMethods());
  for (const r of [onboardingRouter(), conflictsRouter(), personalDataRouter()]) app.use(r.routes()).use(r.allowedMethods());
  for (const m of opts.middleware ?? []) app.use(m);
  return app;
}
