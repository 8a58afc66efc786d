// Onboarding (Appendix 2, §3.3.2, §3.4.1): connection requests (public), review by the agency,
// invitations, buildings import, feedback. Endpoints are described in docs/onboarding-api.md.
import Router from "@koa/router";
import multer from "@koa/multer";
import type { Context } from "koa";
import { z } from "zod";
import { runCommand } from "../../context.ts";
import { AppError, errors } from "../../errors.ts";
import { changeRequestCreator } from "../../commands/changeRequestCreator.ts";
import { changeRequestReviewer } from "../../commands/changeRequestReviewer.ts";
import { connectionRequestApprover, connectionRequestRejecter } from "../../commands/connectionRequestReviewer.ts";
import { connectionRequestSubmitter } from "../../commands/connectionRequestSubmitter.ts";
import { onboardingBuildingsImporter } from "../../commands/onboardingBuildingsImporter.ts";
import { findInvitation, onboardingInvitationAccepter } from "../../commands/onboardingInvitationAccepter.ts";
import { ChangeRequest, ConnectionRequest } from "../../models/ConnectionRequest.ts";
import { authorize, can } from "../../policies/index.ts";
import {
  presentChangeRequest,
  presentConnectionRequest,
  presentConnectionRequestSummary,
  presentInvitee,
  presentSubmittedRequest,
} from "../../presenters/onboarding.ts";
import { BUILDING_COLUMNS, buildReport, recordsFromTable } from "../../onboarding/buildingRows.ts";
import { acceptInvitationSchema, approveSchema, changeRequestSchema, changeReviewSchema, connectionRequestSchema, rejectSchema } from "../../onboarding/schemas.ts";
import { readTable, TABLE_LIMITS } from "../../onboarding/tableFile.ts";
import { requireStaff, type AppState } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const id = z.coerce.number().int().positive();
const token = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);
const requestNotFound = () => new AppError(404, "connection_request_not_found", "Заявка на подключение не найдена.");

type UploadedFile = { buffer: Buffer; originalname: string };
const fileOf = (ctx: Context) => (ctx as unknown as { file?: UploadedFile }).file;
const bodyOf = (ctx: Context) => (ctx.request as { body?: Record<string, unknown> }).body ?? {};

export function onboardingRouter(): Router {
  const r = new Router({ prefix: "/api/onboarding" });
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: TABLE_LIMITS.maxBytes, files: 1, fields: 5, fieldSize: 2 * 1024 * 1024 } });

  // ---- public: the connection form ----
  r.get("/buildings/template.csv", (ctx) => {
    ctx.type = "text/csv; charset=utf-8";
    ctx.attachment("doma-i-licevye-scheta.csv");
    ctx.body = "\uFEFF" + Object.values(BUILDING_COLUMNS).map((h) => `"${h}"`).join(";") + "\r\n";
  });

  r.post("/buildings/check", upload.single("file"), async (ctx) => {
    const file = fileOf(ctx);
    if (!file) throw errors.validationFailed([{ field: "file", message: "приложите файл CSV или XLSX" }]);
    const uoId = parse(z.object({ uoId: id.optional() }), ctx.query).uoId ?? null;
    const table = await readTable(file.buffer, file.originalname);
    const { report } = await buildReport(recordsFromTable(table.rows), uoId);
    ctx.body = { file: { format: table.format, encoding: table.encoding }, ...report };
  });

  r.post("/requests", async (ctx) => {
    const state = ctx.state as AppState;
    const input = parse(connectionRequestSchema, ctx.request.body);
    const req = await runCommand(state.actor, (c) => connectionRequestSubmitter({ ctx: c, input }));
    ctx.status = 201;
    ctx.body = presentSubmittedRequest(req);
  });

  r.post("/requests/upload", upload.single("buildings"), async (ctx) => {
    const state = ctx.state as AppState;
    const raw = bodyOf(ctx).request;
    let json: unknown;
    try {
      json = typeof raw === "string" ? JSON.parse(raw) : undefined;
    } catch {
      throw errors.malformedJson();
    }
    if (json === undefined) throw errors.validationFailed([{ field: "request", message: "передайте заявку в поле request (JSON)" }]);
    const input = parse(connectionRequestSchema, json);
    const file = fileOf(ctx);
    const records = file ? recordsFromTable((await readTable(file.buffer, file.originalname)).rows) : undefined;
    const req = await runCommand(state.actor, (c) => connectionRequestSubmitter({ ctx: c, input, buildingRecords: records }));
    ctx.status = 201;
    ctx.body = presentSubmittedRequest(req);
  });

  // ---- public: invitations ----
  r.get("/invitations/:token", async (ctx) => {
    const t = parse(token, ctx.params.token);
    const { user } = await runCommand((ctx.state as AppState).actor, (c) => findInvitation(c, t));
    ctx.body = presentInvitee(user);
  });

  r.post("/invitations/:token/accept", async (ctx) => {
    const t = parse(token, ctx.params.token);
    const { password } = parse(acceptInvitationSchema, ctx.request.body);
    const user = await runCommand((ctx.state as AppState).actor, (c) => onboardingInvitationAccepter({ ctx: c, token: t, password }));
    ctx.body = { login: user.login };
  });

  // ---- the agency reviews ----
  r.get("/requests", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "connectionRequest:review");
    const q = parse(z.object({ status: z.enum(["submitted", "approved", "rejected"]).optional() }), ctx.query);
    const list = await ConnectionRequest.findAll({ where: q.status ? { status: q.status } : {}, order: [["id", "DESC"]], limit: 200 });
    ctx.body = { items: list.map(presentConnectionRequestSummary) };
  });

  r.get("/requests/:id", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "connectionRequest:review");
    const req = await ConnectionRequest.findByPk(parse(id, ctx.params.id));
    if (!req) throw requestNotFound();
    ctx.body = presentConnectionRequest(req);
  });

  r.post("/requests/:id/approve", async (ctx) => {
    const a = requireStaff(ctx);
    const body = parse(approveSchema, ctx.request.body);
    const res = await runCommand(a, (c) => connectionRequestApprover({ ctx: c, requestId: parse(id, ctx.params.id), linkOrganisationIds: body.linkOrganisationIds }));
    ctx.body = presentConnectionRequest(res.request);
  });

  r.post("/requests/:id/reject", async (ctx) => {
    const a = requireStaff(ctx);
    const { reason } = parse(rejectSchema, ctx.request.body);
    const req = await runCommand(a, (c) => connectionRequestRejecter({ ctx: c, requestId: parse(id, ctx.params.id), reason }));
    ctx.body = presentConnectionRequest(req);
  });

  r.post("/organisations/:id/buildings/import", upload.single("file"), async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "buildings:import");
    const file = fileOf(ctx);
    if (!file) throw errors.validationFailed([{ field: "file", message: "приложите файл CSV или XLSX" }]);
    const dryRun = parse(z.object({ dryRun: z.enum(["true", "false"]).optional() }), ctx.query).dryRun === "true";
    ctx.body = await runCommand(a, (c) => onboardingBuildingsImporter({ ctx: c, uoId: parse(id, ctx.params.id), data: file.buffer, fileName: file.originalname, dryRun }));
  });

  // ---- feedback: change requests ----
  r.post("/change-requests", async (ctx) => {
    const a = requireStaff(ctx);
    const input = parse(changeRequestSchema, ctx.request.body);
    const cr = await runCommand(a, (c) => changeRequestCreator({ ctx: c, input }));
    ctx.status = 201;
    ctx.body = presentChangeRequest(cr);
  });

  r.get("/change-requests", async (ctx) => {
    const a = requireStaff(ctx);
    const q = parse(z.object({ status: z.enum(["pending", "applied", "refused"]).optional() }), ctx.query);
    const reviewer = can(a, "changeRequest:review");
    if (!reviewer && !a.orgId) throw errors.forbidden();
    const where: Record<string, unknown> = reviewer ? {} : { organisationId: a.orgId };
    if (q.status) where.status = q.status;
    const list = await ChangeRequest.findAll({ where, order: [["id", "DESC"]], limit: 500 });
    ctx.body = { items: list.map(presentChangeRequest) };
  });

  r.get("/change-requests/:id", async (ctx) => {
    const a = requireStaff(ctx);
    const cr = await ChangeRequest.findByPk(parse(id, ctx.params.id));
    if (!cr || !can(a, "changeRequest:view", cr)) throw new AppError(404, "change_request_not_found", "Запрос на изменение не найден.");
    ctx.body = presentChangeRequest(cr);
  });

  r.post("/change-requests/:id/review", async (ctx) => {
    const a = requireStaff(ctx);
    const body = parse(changeReviewSchema, ctx.request.body);
    const cr = await runCommand(a, (c) => changeRequestReviewer({ ctx: c, changeRequestId: parse(id, ctx.params.id), ...body }));
    ctx.body = presentChangeRequest(cr);
  });

  return r;
}
