// A staff member's messenger links: issue a one-time code (shown in the panel), list, unlink.
import Router from "@koa/router";
import { z } from "zod";
import { config } from "../../config.ts";
import { runCommand } from "../../context.ts";
import { LINK_CODE_MINUTES, staffLinkCodeIssuer, staffLinksOf, staffUnlinker } from "../../commands/staffLinks.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

export function messengerLinksRouter(): Router {
  const r = new Router({ prefix: "/api/me/messenger-links" });
  r.get("/", async (ctx) => {
    const a = requireStaff(ctx);
    ctx.body = { items: await runCommand(a, (c) => staffLinksOf(c, a.user.id)) };
  });
  r.post("/codes", async (ctx) => {
    const a = requireStaff(ctx);
    const { code, expiresAt } = await runCommand(a, (c) => staffLinkCodeIssuer({ ctx: c }));
    const bot = config().telegram.username;
    ctx.status = 201;
    ctx.body = {
      code,
      codeFormatted: `${code.slice(0, 4)} ${code.slice(4)}`,
      expiresAt: expiresAt.toISOString(),
      minutes: LINK_CODE_MINUTES,
      telegramDeepLink: bot ? `https://t.me/${bot}?start=link_${code}` : null,
      instructions: "Отправьте боту команду /link и код, например: /link " + code,
    };
  });
  r.delete("/:channel", async (ctx) => {
    const a = requireStaff(ctx);
    const channel = parse(z.enum(["telegram", "vk"]), ctx.params.channel);
    await runCommand(a, (c) => staffUnlinker({ ctx: c, userId: a.user.id, channel }));
    ctx.status = 204;
  });
  return r;
}
