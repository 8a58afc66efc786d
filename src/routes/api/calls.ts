// The call log, the call-back list, the screen-pop, ticket-from-call, click-to-call and
// recording playback. Thin: authenticate, validate, one command, present.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import Router from "@koa/router";
import { Op, type WhereOptions } from "sequelize";
import { z } from "zod";
import { config, pbxName, telephonyConfigured } from "../../config.ts";
import { runCommand, systemActor } from "../../context.ts";
import { AppError, errors } from "../../errors.ts";
import { callbackDismisser } from "../../commands/callbackDismisser.ts";
import { callDialer, dialer, telephonyUnavailable } from "../../commands/callDialer.ts";
import { callPopLoader } from "../../commands/callPopLoader.ts";
import { contactAttemptResolver } from "../../commands/contactAttemptRecorder.ts";
import { ticketFromCallCreator } from "../../commands/ticketFromCallCreator.ts";
import { callTicketLinker } from "../../commands/callTicketLinker.ts";
import { normalizePhone } from "../../lib/phone.ts";
import { Call, CallLeg, CallTicket, CALL_OUTCOMES } from "../../models/Call.ts";
import { Ticket } from "../../models/Ticket.ts";
import { User } from "../../models/User.ts";
import { authorize, can } from "../../policies/index.ts";
import { canViewTicket } from "../../policies/ticket.ts";
import { presentCall } from "../../presenters/call.ts";
import { presentPbxLink } from "../../presenters/pbxLink.ts";
import { pbxLinkOf } from "../../commands/pbxLinkRecorder.ts";
import { presentAttempt } from "../../presenters/ticket.ts";
import { requireStaff, type AppState } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";
import { loadTicketCard } from "./tickets.ts";

const id = z.coerce.number().int().positive();
const listSchema = z
  .object({
    direction: z.enum(["inbound", "outbound"]).optional(),
    outcome: z.enum(CALL_OUTCOMES).optional(),
    number: z.string().trim().max(30).optional(),
    operatorId: id.optional(),
    ticketId: id.optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    page: z.coerce.number().int().min(1).default(1),
    perPage: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
const dismissSchema = z.object({ reason: z.string().trim().min(1, "укажите причину").max(500, "не более 500 символов"), _csrf: z.string().optional() }).strict();
const fromCallSchema = z
  .object({
    categoryId: id,
    description: z.string().trim().min(1, "не может быть пустым").max(4000, "не более 4000 символов"),
    buildingId: id.optional().nullable(),
    apartmentId: id.optional().nullable(),
    addressText: z.string().trim().max(300).optional().nullable(),
    residentId: id.optional().nullable(),
    contactName: z.string().trim().max(200).optional().nullable(),
    contactPhone: z.string().trim().max(30).optional().nullable(),
    emergency: z.boolean().optional(),
    _csrf: z.string().optional(),
  })
  .strict();
const dialSchema = z.object({ phone: z.string().trim().max(30).optional(), _csrf: z.string().optional() }).strict();

const AUDIO: Record<string, string> = { ".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".gsm": "audio/x-gsm", ".opus": "audio/ogg" };

const callNotFound = () => new AppError(404, "call_not_found", "Звонок не найден.");

const callParam = (v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw callNotFound();
  return n;
};

async function loadCall(n: number) {
  const c = await Call.findByPk(n, { include: [{ model: User, as: "operator" }] });
  if (!c) throw callNotFound();
  return c;
}

/** The recording's file inside the recordings folder, never outside it (the PBX may give an absolute path). */
export function recordingPath(dir: string, ref: string): string | null {
  const base = path.resolve(dir);
  const inside = (p: string) => p.startsWith(base + path.sep);
  const direct = path.resolve(base, ref);
  if (inside(direct)) return direct;
  const byName = path.join(base, path.basename(ref));
  return path.basename(ref) && inside(byName) ? byName : null;
}

export function callsRouter(): Router {
  const r = new Router();

  r.get("/api/calls", async (ctx) => {
    const state = ctx.state as AppState;
    const actor = requireStaff(ctx);
    authorize(actor, "call:read", undefined, "Журнал звонков доступен ЦОЗ и контролирующим органам.");
    const q = parse(listSchema, ctx.query);
    const where: WhereOptions<Call>[] = [];
    if (q.direction) where.push({ direction: q.direction });
    if (q.outcome) where.push({ outcome: q.outcome });
    if (q.operatorId) where.push({ operatorUserId: q.operatorId });
    if (q.from) where.push({ startedAt: { [Op.gte]: q.from } });
    if (q.to) where.push({ startedAt: { [Op.lte]: q.to } });
    if (q.number) {
      const n = normalizePhone(q.number);
      if (!n) throw errors.validationFailed([{ field: "number", message: "номер телефона не распознан" }]);
      where.push({ [Op.or]: [{ callerNumber: n }, { calledNumber: n }] });
    }
    if (q.ticketId) {
      const t = await Ticket.findByPk(q.ticketId);
      if (!t || !canViewTicket(state.actor, t)) throw errors.notFound("ticket");
      const links = await CallTicket.findAll({ where: { ticketId: t.id } });
      where.push({ id: links.map((l) => l.callId) });
    }
    const { rows, count } = await Call.findAndCountAll({
      where: { [Op.and]: where },
      include: [{ model: User, as: "operator" }],
      order: [["startedAt", "DESC"], ["id", "DESC"]],
      limit: q.perPage,
      offset: (q.page - 1) * q.perPage,
    });
    const listen = can(actor, "call:listen");
    ctx.body = { items: rows.map((c) => presentCall(c, { canListen: listen })), page: q.page, perPage: q.perPage, total: count };
  });

  r.get("/api/callbacks", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "call:read", undefined, "Список перезвона доступен ЦОЗ.");
    const rows = await Call.findAll({ where: { callbackStatus: "open" }, include: [{ model: User, as: "operator" }], order: [["callbackDueAt", "ASC"], ["id", "ASC"]], limit: 500 });
    ctx.body = { items: rows.map((c) => presentCall(c, { canListen: can(actor, "call:listen") })) };
  });

  // The PBX link as its holder last reported it (off when telephony is not configured).
  r.get("/api/telephony/link", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "pbx:read");
    const cfg = config();
    const configured = telephonyConfigured(cfg);
    const row = configured ? await pbxLinkOf(pbxName(cfg)) : null;
    ctx.body = presentPbxLink(row, { configured, forAdmin: actor.role === "admin" });
  });

  r.get("/api/calls/ringing", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "call:work");
    const legs = await CallLeg.findAll({ where: { userId: actor.user.id, endedAt: null }, order: [["rangAt", "DESC"]], limit: 10 });
    const items = [];
    for (const l of legs) {
      const call = await Call.findByPk(l.callId);
      if (call && call.status !== "ended") items.push(await runCommand(systemActor("всплывающая карточка"), (c) => callPopLoader({ ctx: c, call })));
    }
    ctx.body = { items };
  });

  r.get("/api/calls/:id", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "call:read");
    const call = await loadCall(callParam(ctx.params.id));
    const [legs, tickets] = await Promise.all([CallLeg.findAll({ where: { callId: call.id }, order: [["id", "ASC"]] }), CallTicket.findAll({ where: { callId: call.id } })]);
    ctx.body = presentCall(call, { legs, tickets, canListen: can(actor, "call:listen") });
  });

  r.get("/api/calls/:id/pop", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "call:work");
    const call = await loadCall(callParam(ctx.params.id));
    ctx.body = await runCommand(systemActor("всплывающая карточка"), (c) => callPopLoader({ ctx: c, call }));
  });

  r.get("/api/calls/:id/recording", async (ctx) => {
    const actor = requireStaff(ctx);
    authorize(actor, "call:listen");
    const call = await loadCall(callParam(ctx.params.id));
    const dir = config().ami.recordingsDir;
    const file = call.recordingFile && dir ? recordingPath(dir, call.recordingFile) : null;
    const st = file ? await stat(file).catch(() => null) : null;
    if (!file || !st?.isFile()) throw new AppError(404, "recording_not_found", "Запись разговора не найдена.");
    ctx.set("Content-Type", AUDIO[path.extname(file).toLowerCase()] ?? "application/octet-stream");
    ctx.set("Content-Length", String(st.size));
    ctx.set("Cache-Control", "private, no-store");
    ctx.set("Content-Disposition", `inline; filename*=UTF-8''${encodeURIComponent(path.basename(file))}`);
    ctx.body = createReadStream(file);
  });

  r.post("/api/calls/:id/callback/dismiss", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const { reason } = parse(dismissSchema, ctx.request.body);
    const call = await runCommand(state.actor, (c) => callbackDismisser({ ctx: c, callId: callParam(ctx.params.id), reason }));
    ctx.body = presentCall(call);
  });

  r.post("/api/calls/:id/tickets", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const { _csrf, ...input } = parse(fromCallSchema, ctx.request.body);
    const t = await runCommand(state.actor, (c) => ticketFromCallCreator({ ctx: c, callId: callParam(ctx.params.id), input }));
    ctx.status = 201;
    ctx.body = (await loadTicketCard(state, t.id)).view;
  });

  r.post("/api/calls/:id/tickets/:ticketId/link", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const ticketId = Number(ctx.params.ticketId);
    if (!Number.isInteger(ticketId) || ticketId <= 0) throw errors.notFound("ticket");
    const link = await runCommand(state.actor, (c) => callTicketLinker({ ctx: c, callId: callParam(ctx.params.id), ticketId }));
    ctx.status = 201;
    ctx.body = { callId: link.callId, ticketId: link.ticketId, kind: link.kind };
  });

  r.post("/api/tickets/:id/call", async (ctx) => {
    const state = ctx.state as AppState;
    requireStaff(ctx);
    const { phone } = parse(dialSchema, ctx.request.body);
    const ticketId = Number(ctx.params.id);
    if (!Number.isInteger(ticketId) || ticketId <= 0) throw errors.notFound("ticket");
    const d = dialer();
    if (!d) throw telephonyUnavailable();
    const { attempt, request } = await runCommand(state.actor, (c) => callDialer({ ctx: c, ticketId, phone }));
    try {
      await d.dial(request);
    } catch {
      await runCommand(systemActor("АТС"), (c) => contactAttemptResolver({ ctx: c, attemptId: attempt.id, outcome: "failed" })).catch(() => {});
      throw errors.conflict("call_not_placed", "АТС не приняла вызов. Попытка отмечена как несостоявшаяся; повторите позже.");
    }
    ctx.status = 202;
    ctx.body = presentAttempt(attempt);
  });

  return r;
}
