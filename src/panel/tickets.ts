// Ticket pages: the live list, the card with the legal next actions, the operator's new-ticket
// form, contact attempts and uploads. Each handler: who, validate, one command, redirect.
import Router from "@koa/router";
import multer from "@koa/multer";
import type { Context, Next } from "koa";
import { Op } from "sequelize";
import { config } from "../config.ts";
import { runCommand } from "../context.ts";
import { errors } from "../errors.ts";
import { attachmentAdder } from "../commands/attachmentAdder.ts";
import { contactAttemptRecorder } from "../commands/contactAttemptRecorder.ts";
import { ticketActionTaker } from "../commands/ticketActionTaker.ts";
import { ticketCreator } from "../commands/ticketCreator.ts";
import { Ticket } from "../models/Ticket.ts";
import { can } from "../policies/index.ts";
import { loadTicketCard } from "../routes/api/tickets.ts";
import { actionSchema, contactAttemptSchema, createTicketSchema } from "../routes/api/tickets.schema.ts";
import { parse } from "../routes/middleware/validate.ts";
import type { AppState } from "../routes/middleware/auth.ts";
import { panelErrors } from "./errors.ts";
import { staff } from "./guard.ts";
import { html } from "./html.ts";
import { page, setFlash } from "./layout.ts";
import { actionChoices, defaultTab, formToActionInput, listTickets, TAB_LABELS, TABS, type Tab } from "./queries.ts";
import { ticketCard } from "./views/card.ts";
import { newTicketForm } from "./views/newTicket.ts";
import { ticketRows, ticketTable } from "./views/tickets.ts";

const idOf = (v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw errors.notFound("ticket");
  return n;
};
const tabOf = (v: unknown, fallback: Tab): Tab => (TABS.includes(v as Tab) ? (v as Tab) : fallback);
const csrfOf = (ctx: Context) => (ctx.state as AppState).session!.csrfToken;
const back = (ctx: Context, url: string) => ((ctx.state as { back?: string }).back = url);

/** Parses multipart bodies (uploads) when the form sends one; other forms are already parsed. */
function maybeMultipart() {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: config().uploads.maxBytes, files: 1, fields: 20 } }).single("file");
  return async (ctx: Context, next: Next) => (ctx.is("multipart") ? upload(ctx as never, next) : next());
}
const fileOf = (ctx: Context) => (ctx as unknown as { file?: { buffer: Buffer; originalname: string } }).file;

/** Success: the flash waits on `url`; the browser is sent there (the panel script is told where to go). */
function done(ctx: Context, url: string, text: string) {
  setFlash(ctx, { kind: "ok", text });
  if (ctx.get("x-requested-with") === "panel") {
    ctx.body = { redirect: url };
    return;
  }
  ctx.redirect(url);
  ctx.status = 303;
}

export function ticketRoutes(): Router {
  const r = new Router({ prefix: "/panel" });
  r.use(panelErrors);

  r.get("/tickets", async (ctx) => {
    const a = staff(ctx);
    const tab = tabOf(ctx.query.tab, defaultTab(a));
    const items = await listTickets(a, tab);
    const tabs = TABS.filter((t) => t !== "intake" || a.role === "operator");
    page(ctx, {
      title: "Заявки",
      page: "list",
      body: html`<h1>Заявки</h1>
<nav class="tabs" aria-label="Фильтр">${tabs.map((t) => html`<a href="/panel/tickets?tab=${t}"${t === tab ? html` aria-current="page"` : null}>${TAB_LABELS[t]}</a>`)}</nav>
${ticketTable(items, `/panel/fragments/tickets?tab=${tab}`)}`,
    });
  });

  // The rows of the list, re-fetched by panel.js when a ticket.changed event arrives.
  r.get("/fragments/tickets", async (ctx) => {
    const a = staff(ctx);
    ctx.type = "html";
    ctx.set("Cache-Control", "no-store");
    ctx.body = ticketRows(await listTickets(a, tabOf(ctx.query.tab, defaultTab(a)))).value;
  });

  r.get("/callbacks", async (ctx) => {
    const a = staff(ctx, ["operator", "admin"]);
    const items = await listTickets(a, "intake");
    page(ctx, {
      title: "Перезвонить",
      page: "list",
      body: html`<h1>Перезвонить жителям</h1>
<h2>Пропущенные звонки</h2>
<table class="grid" data-callbacks><thead><tr><th>Номер</th><th>Звонок</th><th>Перезвонить до</th><th>Причина</th><th></th></tr></thead>
<tbody><tr><td colspan="5" class="empty">Загрузка…</td></tr></tbody></table>
<h2>Заявки, ждущие звонка оператора</h2>
<p class="muted">Заявки с сайта ждут подтверждения по телефону; выполненные — согласия жителя на закрытие.</p>
${ticketTable(items, "/panel/fragments/tickets?tab=intake")}`,
    });
  });

  r.get("/tickets/new", async (ctx) => {
    const a = staff(ctx, ["operator", "admin"]);
    page(ctx, { title: "Новая заявка", page: "new-ticket", body: await newTicketForm(csrfOf(ctx), a) });
  });

  r.post("/tickets", async (ctx) => {
    back(ctx, "/panel/tickets/new");
    const a = staff(ctx, ["operator", "admin"]);
    const { callId: _callId, street: _street, ...f } = formToActionInput(ctx.request.body as Record<string, unknown>);
    const input = parse(createTicketSchema, { ...f, emergency: f.emergency === "on", channel: f.channel ?? "phone" });
    // A double submit within a minute finds the ticket the first one created.
    const same = await Ticket.findOne({
      where: { createdByUserId: a.user.id, description: input.description.trim(), createdAt: { [Op.gt]: new Date(Date.now() - 60_000) } },
    });
    if (same) return done(ctx, `/panel/tickets/${same.id}`, `Заявка № ${same.number} уже создана.`);
    const t = await runCommand(a, (c) => ticketCreator({ ctx: c, input }));
    done(ctx, `/panel/tickets/${t.id}`, `Заявка № ${t.number} создана.`);
  });

  r.get("/tickets/:id", async (ctx) => {
    const a = staff(ctx);
    const state = ctx.state as AppState;
    const { ticket, view } = await loadTicketCard(state, idOf(ctx.params.id));
    const ch = await actionChoices(ticket, a, view.actions ?? []);
    page(ctx, {
      title: `Заявка № ${view.number}`,
      page: "card",
      body: ticketCard(view, csrfOf(ctx), ch, {
        canAttempt: can(a, "ticket:contact_attempt", ticket),
        canAttach: can(a, "ticket:attach", ticket),
        canCall: ["operator", "oversight", "admin"].includes(a.role),
      }),
    });
  });

  r.post("/tickets/:id/act/:action", maybeMultipart(), async (ctx) => {
    const id = idOf(ctx.params.id);
    back(ctx, `/panel/tickets/${id}`);
    const a = staff(ctx);
    const action = ctx.params.action!;
    const { expectedVersion, _csrf, ...input } = parse(actionSchema, formToActionInput(ctx.request.body as Record<string, unknown>));
    const file = fileOf(ctx);
    if (action === "report" && !file) throw errors.validationFailed([{ field: "file", message: "приложите заказ-наряд" }]);
    // The work order and the report are one command: both are saved, or neither.
    await runCommand(a, async (c) => {
      if (file) {
        const att = await attachmentAdder({ ctx: c, ticketId: id, kind: "work_order", originalName: file.originalname, data: file.buffer });
        input.workOrderAttachmentId = att.id;
      }
      return ticketActionTaker({ ctx: c, ticketId: id, action, input, expectedVersion });
    });
    done(ctx, `/panel/tickets/${id}`, "Готово.");
  });

  r.post("/tickets/:id/attachments", maybeMultipart(), async (ctx) => {
    const id = idOf(ctx.params.id);
    back(ctx, `/panel/tickets/${id}`);
    const a = staff(ctx);
    const file = fileOf(ctx);
    if (!file) throw errors.validationFailed([{ field: "file", message: "выберите файл" }]);
    await runCommand(a, (c) => attachmentAdder({ ctx: c, ticketId: id, kind: "photo", originalName: file.originalname, data: file.buffer }));
    done(ctx, `/panel/tickets/${id}`, "Файл приложен.");
  });

  r.post("/tickets/:id/attempts", async (ctx) => {
    const id = idOf(ctx.params.id);
    back(ctx, `/panel/tickets/${id}`);
    const a = staff(ctx, ["operator"]);
    const body = formToActionInput(ctx.request.body as Record<string, unknown>);
    const input = parse(contactAttemptSchema, body);
    await runCommand(a, (c) => contactAttemptRecorder({ ctx: c, ticketId: id, ...input }));
    done(ctx, `/panel/tickets/${id}`, "Звонок записан.");
  });

  return r;
}

