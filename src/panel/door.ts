// The panel door: server-rendered pages for staff and residents plus two static files.
// Pages call the same commands, policies and presenters as the JSON API.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Router from "@koa/router";
import type { DoorFactory } from "../server.ts";
import { adminRoutes } from "./admin.ts";
import { agencyRoutes } from "./agency.ts";
import { authRoutes } from "./auth.ts";
import { onboardingRoutes } from "./onboarding.ts";
import { outageRoutes } from "./outages.ts";
import { residentRoutes } from "./resident.ts";
import { ticketRoutes } from "./tickets.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const STATIC: Record<string, string> = {
  "panel.js": "text/javascript; charset=utf-8",
  "calls.js": "text/javascript; charset=utf-8",
  "outages.js": "text/javascript; charset=utf-8",
  "admin.js": "text/javascript; charset=utf-8",
  "dom.js": "text/javascript; charset=utf-8",
  "profile.js": "text/javascript; charset=utf-8",
  "panel.css": "text/css; charset=utf-8",
};

export function staticRouter(): Router {
  const r = new Router();
  const files = Object.fromEntries(Object.keys(STATIC).map((f) => [f, readFileSync(path.join(here, "static", f))]));
  r.get("/static/:file", (ctx) => {
    const f = ctx.params.file!;
    if (!(f in files)) return;
    ctx.type = STATIC[f]!;
    ctx.set("Cache-Control", "no-cache");
    ctx.body = files[f];
  });
  return r;
}

export const panelDoor: DoorFactory = async () => ({
  name: "panel",
  routers: [staticRouter(), authRoutes(), residentRoutes(), ticketRoutes(), adminRoutes(), agencyRoutes(), outageRoutes(), onboardingRoutes()],
});
