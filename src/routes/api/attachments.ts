import Router from "@koa/router";
import { errors } from "../../errors.ts";
import { Attachment, Ticket } from "../../models/Ticket.ts";
import { canViewTicket } from "../../policies/ticket.ts";
import { readStored } from "../../storage/files.ts";
import type { AppState } from "../middleware/auth.ts";

/** Files are served only to those who may see their ticket, never inline as active content. */
export function attachmentsRouter(): Router {
  const r = new Router({ prefix: "/api/attachments" });
  r.get("/:id", async (ctx) => {
    const state = ctx.state as AppState;
    const id = Number(ctx.params.id);
    const a = Number.isInteger(id) && id > 0 ? await Attachment.findByPk(id) : null;
    const t = a?.ticketId ? await Ticket.findByPk(a.ticketId) : null;
    if (!a || !t || !canViewTicket(state.actor, t)) throw errors.notFound("attachment");
    ctx.set("Content-Type", a.mime);
    ctx.set("Cache-Control", "private, max-age=300");
    ctx.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    const inline = a.mime.startsWith("image/") || a.mime === "application/pdf";
    ctx.set("Content-Disposition", `${inline ? "inline" : "attachment"}; filename*=UTF-8''${encodeURIComponent(a.originalName)}`);
    ctx.body = await readStored(a.storageKey);
  });
  return r;
}
