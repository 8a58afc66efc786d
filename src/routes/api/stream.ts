// Server-sent events: the live push channel of a staff member's browser session.
import Router from "@koa/router";
import { PassThrough } from "node:stream";
import type { PushHub } from "../../push/hub.ts";
import { requireStaff } from "../middleware/auth.ts";

export function streamRouter(hub: PushHub): Router {
  const r = new Router();
  r.get("/api/stream", async (ctx) => {
    const a = requireStaff(ctx);
    const out = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.req.socket.setKeepAlive(true);
    ctx.set({ "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" });
    ctx.status = 200;
    ctx.body = out;
    let seq = 0;
    const send = (event: string, data: unknown) => {
      out.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = hub.subscribe({ userId: a.user.id, orgId: a.orgId, role: a.role, send });
    out.write(`retry: 3000\n: connected\n\n`);
    send("hello", { userId: a.user.id });
    const ping = setInterval(() => out.write(": ping\n\n"), 25_000);
    const close = () => {
      clearInterval(ping);
      unsubscribe();
    };
    ctx.req.on("close", close);
    out.on("close", close);
  });
  return r;
}
