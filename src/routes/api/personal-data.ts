// Personal data (152-ФЗ): consents, the access log, export of everything held, anonymisation.
import Router from "@koa/router";
import { z } from "zod";
import { runCommand } from "../../context.ts";
import { errors } from "../../errors.ts";
import { personalDataConsentRecorder } from "../../commands/personalDataConsentRecorder.ts";
import { personalDataExporter } from "../../commands/personalDataExporter.ts";
import { ConsentText, PersonalDataView } from "../../models/PersonalData.ts";
import { Resident } from "../../models/Resident.ts";
import { authorize } from "../../policies/index.ts";
import { anonymiseResidents } from "../../onboarding/retention.ts";
import { requireStaff } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const id = z.coerce.number().int().positive();

export function personalDataRouter(): Router {
  const r = new Router({ prefix: "/api/personal-data" });

  r.get("/consent-texts/:version", async (ctx) => {
    const t = await ConsentText.findByPk(parse(z.string().min(1).max(50), ctx.params.version));
    if (!t) throw errors.notFound("consent_text");
    ctx.body = { version: t.version, text: t.text, createdAt: t.createdAt };
  });

  r.post("/consent-texts", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "personalData:consentText");
    const body = parse(z.object({ version: z.string().trim().min(1).max(50), text: z.string().trim().min(20).max(50_000) }).strict(), ctx.request.body);
    if (await ConsentText.findByPk(body.version)) throw errors.conflict("consent_version_exists", "Текст с такой версией уже есть: тексты согласий не меняются, заведите новую версию.");
    const t = await ConsentText.create(body);
    ctx.status = 201;
    ctx.body = { version: t.version, createdAt: t.createdAt };
  });

  r.post("/residents/:id/consents", async (ctx) => {
    const a = requireStaff(ctx);
    const body = parse(z.object({ version: z.string().trim().min(1).max(50), given: z.boolean().default(true), channel: z.enum(["phone", "web", "panel", "paper"]) }).strict(), ctx.request.body);
    const row = await runCommand(a, (c) => personalDataConsentRecorder({ ctx: c, residentId: parse(id, ctx.params.id), ...body }));
    ctx.status = 201;
    ctx.body = { id: row.id, version: row.version, given: row.given, channel: row.channel, at: row.createdAt };
  });

  r.get("/residents/:id/export", async (ctx) => {
    const a = requireStaff(ctx);
    const data = await runCommand(a, (c) => personalDataExporter({ ctx: c, residentId: parse(id, ctx.params.id) }));
    ctx.set("Cache-Control", "no-store");
    ctx.body = data;
  });

  r.get("/residents/:id/views", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "personalData:viewLog");
    const list = await PersonalDataView.findAll({ where: { residentId: parse(id, ctx.params.id) }, order: [["id", "DESC"]], limit: 1000 });
    ctx.body = { items: list.map((v) => ({ userId: v.userId, ticketId: v.ticketId, source: v.source, at: v.createdAt })) };
  });

  r.post("/residents/:id/anonymise", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "personalData:anonymise");
    const r0 = await Resident.findByPk(parse(id, ctx.params.id));
    if (!r0) throw errors.notFound("resident");
    const open = await Resident.sequelize!.query("SELECT 1 FROM tickets WHERE resident_id = $1 AND status <> 'closed' LIMIT 1", { bind: [r0.id] });
    if ((open[0] as unknown[]).length) throw errors.conflict("resident_has_open_tickets", "У жителя есть незакрытые заявки: обезличить данные можно после их закрытия.");
    await anonymiseResidents([r0.id]);
    ctx.status = 204;
  });

  return r;
}
