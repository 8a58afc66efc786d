// Thin routes over the ticket commands: authenticate, validate, run one command, present.
import Router from "@koa/router";
import multer from "@koa/multer";
import { Op, QueryTypes, Utils, type WhereOptions } from "sequelize";
import { config } from "../../config.ts";
import { runCommand } from "../../context.ts";
import { errors } from "../../errors.ts";
import { attachmentAdder } from "../../commands/attachmentAdder.ts";
import { contactAttemptRecorder } from "../../commands/contactAttemptRecorder.ts";
import { ticketActionTaker } from "../../commands/ticketActionTaker.ts";
import { ticketCreator } from "../../commands/ticketCreator.ts";
import { createOnce, idempotentRequest, rememberKey } from "../../commands/idempotency.ts";
import { unansweredAttempts } from "../../commands/ticketLoader.ts";
import { Apartment, Building } from "../../models/Building.ts";
import { Category } from "../../models/Category.ts";
import { Organisation } from "../../models/Organisation.ts";
import { Attachment, ContactAttempt, Ticket, TicketHistory } from "../../models/Ticket.ts";
import { User } from "../../models/User.ts";
import { authorize } from "../../policies/index.ts";
import { canViewTicket, ticketScope } from "../../policies/ticket.ts";
import { presentTicket, presentTicketSummary, presentAttachment, presentAttempt, seesPersonalData } from "../../presenters/ticket.ts";
import { logPersonalDataView } from "../../commands/personalDataViewLogger.ts";
import { nextActions } from "../../workflow/engine.ts";
import { requireStaff, type AppState } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";
import { actionSchema, attachmentKindSchema, contactAttemptSchema, createTicketSchema, listSchema } from "./tickets.schema.ts";
import { sequelize } from "../../db/sequelize.ts";
import { listPage } from "./ticketPage.ts";

export const ticketIncludes = [
  { model: Category, as: "category" },
  { model: Building, as: "building" },
  { model: Apartment, as: "apartment" },
  { model: Organisation, as: "uo" },
  { model: Organisation, as: "executorOrg" },
  { model: User, as: "executorUser" },
];

/** The ticket list counts matching tickets up to this many (see GET /). */
export const LIST_COUNT_CAP = 2_000;

const idParam = (v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw errors.notFound("ticket");
  return n;
};

/** Loads a ticket the actor may see, with everything its card shows; 404 otherwise. */
export async function loadTicketCard(ctxState: AppState, id: number) {
  const t = await Ticket.findByPk(id, { include: ticketIncludes });
  if (!t || !canViewTicket(ctxState.actor, t)) throw errors.notFound("ticket");
  const [history, attachments, attempts] = await Promise.all([
    TicketHistory.findAll({ where: { ticketId: id }, include: [{ model: User, as: "actorUser" }], order: [["id", "ASC"]] }),
    Attachment.findAll({ where: { ticketId: id }, order: [["id", "ASC"]] }),
    ContactAttempt.findAll({ where: { ticketId: id }, order: [["id", "ASC"]] }),
  ]);
  const unanswered = attempts.filter((a) => ["no_answer", "busy"].includes(a.outcome)).length;
  const actions = nextActions(t, ctxState.actor, { unansweredAttempts: unanswered, unreachableMinAttempts: config().workflow.unreachableMinAttempts });
  if ((t.residentId || t.contactPhone) && seesPersonalData(ctxState.actor, t)) await logPersonalDataView(ctxState.actor, [{ residentId: t.residentId, ticketId: t.id }], "ticket_card");
  return { ticket: t, view: presentTicket(t, ctxState.actor, { history, attachments, attempts, actions }) };
}

/**
 * The card of a ticket this request has just created, from what the command wrote (no read-back):
 * no attachments or call attempts yet, the history rows it recorded. The creator typed the
 * contact details, so showing them back is not a personal-data view to log.
 */
function createdCard(state: AppState, t: Ticket) {
  if (!canViewTicket(state.actor, t)) return { id: t.id, number: t.number };
  const actor = state.actor;
  const history = (t.history ?? []).map((h) => {
    if (actor.kind === "user" && h.actorUserId === actor.user.id) h.actorUser = actor.user;
    return h;
  });
  const actions = nextActions(t, actor, { unansweredAttempts: 0, unreachableMinAttempts: config().workflow.unreachableMinAttempts });
  return presentTicket(t, actor, { history, attachments: [], attempts: [], actions });
}

export function ticketsRouter(): Router {
  const r = new Router({ prefix: "/api/tickets" });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: config().uploads.maxBytes, files: 1, fields: 10 } });

  r.get("/", async (ctx) => {
    const actor = requireStaffOrResident(ctx.state as AppState);
    const q = parse(listSchema, ctx.query);
    const where: WhereOptions<Ticket>[] = [];
    if (q.status) where.push({ status: { [Op.in]: q.status } });
    if (q.uoId) where.push({ uoId: q.uoId });
    if (q.executorOrgId) where.push({ executorOrgId: q.executorOrgId });
    if (q.buildingId) where.push({ buildingId: q.buildingId });
    if (q.categoryId) where.push({ categoryId: q.categoryId });
    if (q.residentId) where.push({ residentId: q.residentId });
    if (q.emergency) where.push({ emergency: q.emergency === "true" });
    if (q.open === "true") where.push({ status: { [Op.ne]: "closed" } });
    if (q.open === "false") where.push({ status: "closed" });
    if (q.overdue === "true") where.push({ status: { [Op.ne]: "closed" }, deadlineAt: { [Op.lt]: new Date() } });
    if (q.overdue === "false") where.push({ [Op.or]: [{ status: "closed" }, { deadlineAt: { [Op.gte]: new Date() } }] });
    if (q.from && q.to && q.from > q.to) throw errors.validationFailed([{ field: "from", message: "начало периода позже конца" }]);
    if (q.from) where.push({ createdAt: { [Op.gte]: q.from } });
    if (q.to) where.push({ createdAt: { [Op.lte]: q.to } });
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push({ [Op.or]: [{ number: { [Op.iLike]: like } }, { description: { [Op.iLike]: like } }] });
    }
    // The count stops at LIST_COUNT_CAP: an exact count(*) over a region's million tickets costs
    // more than the page. `total` is exact when `totalExact`, otherwise "at least LIST_COUNT_CAP".
    // It reads ids only, without the joins (the list's joins never drop a row).
    // The page is chosen on the tickets alone (narrow rows, sort keys only), then its 25 rows are
    // joined: joining every matching ticket before sorting costs more than the page.
    const { rows, counted } = await listPage(actor, where, q.sort, q.page, q.perPage, LIST_COUNT_CAP + 1);
    const totalExact = counted <= LIST_COUNT_CAP;
    ctx.body = { items: rows.map((t) => presentTicketSummary(t, actor)), page: q.page, perPage: q.perPage, total: totalExact ? counted : LIST_COUNT_CAP, totalExact };
  });

  r.post("/", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const input = parse(createTicketSchema, ctx.request.body);
    const once = idempotentRequest(state.actor, ctx.headers["idempotency-key"], input);
    const r = await createOnce(once, () =>
      runCommand(state.actor, async (c) => {
        const t = await ticketCreator({ ctx: c, input });
        if (once) await rememberKey(c, once, t.id);
        return t;
      }),
    );
    ctx.status = 201;
    if ("created" in r) ctx.body = createdCard(state, r.created);
    else {
      // The same request again: the ticket the first one made, as it is now.
      ctx.set("Idempotent-Replayed", "true");
      ctx.body = (await loadTicketCard(state, r.replayOf)).view;
    }
  });

  r.get("/:id", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaffOrResident(state);
    ctx.body = (await loadTicketCard(state, idParam(ctx.params.id))).view;
  });

  r.get("/:id/actions", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaffOrResident(state);
    ctx.body = { actions: (await loadTicketCard(state, idParam(ctx.params.id))).view.actions };
  });

  r.post("/:id/actions/:action", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaffOrResident(state);
    const { expectedVersion, _csrf, ...input } = parse(actionSchema, ctx.request.body);
    const id = idParam(ctx.params.id);
    await runCommand(state.actor, (c) => ticketActionTaker({ ctx: c, ticketId: id, action: ctx.params.action!, input, expectedVersion }));
    ctx.body = (await loadTicketCard(state, id)).view;
  });

  r.post("/:id/attachments", upload.single("file"), async (ctx) => {
    const state = ctx.state as AppState;
    requireStaffOrResident(state);
    const id = idParam(ctx.params.id);
    const file = (ctx as unknown as { file?: { buffer: Buffer; originalname: string } }).file;
    if (!file) throw errors.validationFailed([{ field: "file", message: "приложите файл" }]);
    const kind = parse(attachmentKindSchema, (ctx.request.body as Record<string, unknown> | undefined)?.kind ?? "photo");
    const a = await runCommand(state.actor, (c) => attachmentAdder({ ctx: c, ticketId: id, kind, originalName: file.originalname, data: file.buffer }));
    ctx.status = 201;
    ctx.body = presentAttachment(a);
  });

  r.get("/:id/contact-attempts", async (ctx) => {
    const state = ctx.state as AppState;
    const { ticket } = await loadTicketCard(state, idParam(ctx.params.id));
    authorize(state.actor, "ticket:contact_attempt", ticket);
    const list = await ContactAttempt.findAll({ where: { ticketId: ticket.id }, order: [["id", "ASC"]] });
    ctx.body = { items: list.map(presentAttempt), unanswered: await runCommand(state.actor, (c) => unansweredAttempts(c, ticket.id)) };
  });

  r.post("/:id/contact-attempts", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const id = idParam(ctx.params.id);
    const input = parse(contactAttemptSchema, ctx.request.body);
    const a = await runCommand(state.actor, (c) => contactAttemptRecorder({ ctx: c, ticketId: id, ...input }));
    ctx.status = 201;
    ctx.body = presentAttempt(a);
  });

  return r;
}

function requireStaffOrResident(state: AppState) {
  if (state.actor.kind === "public") throw errors.unauthenticated();
  return state.actor;
}
