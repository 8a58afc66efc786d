// The resident's pages (no login, regulation §2.1.2): a web form to submit a request and a
// status page reached with the ticket number and the phone it was filed with, where the
// resident confirms or disputes completion. Public address lookups expose no personal data.
import Router from "@koa/router";
import multer from "@koa/multer";
import type { Context, Next } from "koa";
import { Op, QueryTypes } from "sequelize";
import { z } from "zod";
import { config } from "../config.ts";
import { residentActor, runCommand, systemActor } from "../context.ts";
import { sequelize } from "../db/sequelize.ts";
import { errors } from "../errors.ts";
import { attachmentAdder } from "../commands/attachmentAdder.ts";
import { residentFinder } from "../commands/residentFinder.ts";
import { personalDataConsentRecorder } from "../commands/personalDataConsentRecorder.ts";
import { ticketActionTaker } from "../commands/ticketActionTaker.ts";
import { ticketCreator } from "../commands/ticketCreator.ts";
import { checkBudget, recordFailure, spendBudget } from "../commands/requestBudget.ts";
import { normalizePhone } from "../lib/phone.ts";
import { Apartment, Building } from "../models/Building.ts";
import { Resident } from "../models/Resident.ts";
import { Ticket } from "../models/Ticket.ts";
import { addressOf } from "../presenters/ticket.ts";
import { loadTicketCard } from "../routes/api/tickets.ts";
import type { AppState } from "../routes/middleware/auth.ts";
import { parse } from "../routes/middleware/validate.ts";
import { panelErrors } from "./errors.ts";
import { checkPublicCsrf, publicCsrf } from "./guard.ts";
import { page, setFlash } from "./layout.ts";
import { residentForm, statusLookup, statusPage, WEB_CONSENT } from "./views/resident.ts";

export const WEB_LIMITS = { perPhonePerDay: 3, perApartmentPerDay: 5 };
const MAX_PHOTOS = 3;

const submitSchema = z.object({
  name: z.string().trim().min(2, "укажите имя").max(200),
  phone: z.string().trim().min(5, "укажите телефон").max(30),
  buildingId: z.coerce.number().int().positive("выберите дом из списка"),
  apartmentId: z.coerce.number().int().positive().optional(),
  categoryId: z.coerce.number().int().positive("выберите тип заявки"),
  description: z.string().trim().min(5, "опишите проблему").max(4000, "описание не длиннее 4000 символов"),
  consent: z.literal("on", { message: "нужно согласие на обработку персональных данных" }),
});
const lookupSchema = z.object({ number: z.string().trim().regex(/^\d{4}-\d{6}$/, "номер заявки вида 2026-000123"), phone: z.string().trim().min(5).max(30) });
const actSchema = lookupSchema.extend({
  action: z.enum(["confirm", "dispute"]),
  reason: z.string().trim().max(2000).optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  expectedVersion: z.coerce.number().int().min(0),
});

const clean = (b: unknown) => Object.fromEntries(Object.entries((b ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ""));

// Failed status look-ups are counted per address (request_budgets), so number + phone cannot be
// guessed in bulk — across instances and restarts.
const checkLookupBudget = (ip: string) => checkBudget("statusFailures", ip);
const lookupFailed = (ip: string) => recordFailure("statusFailures", ip);

async function checkRateLimits(phone: string, buildingId: number, apartmentId: number | undefined) {
  const rows = await sequelize().query<{ by_phone: number; by_address: number }>(
    `SELECT count(*) FILTER (WHERE contact_phone = $1)::int AS by_phone,
            count(*) FILTER (WHERE building_id = $2 AND apartment_id IS NOT DISTINCT FROM $3)::int AS by_address
       FROM tickets WHERE channel = 'web' AND created_at > now() - interval '1 day'`,
    { bind: [phone, buildingId, apartmentId ?? null], type: QueryTypes.SELECT },
  );
  if ((rows[0]?.by_phone ?? 0) >= WEB_LIMITS.perPhonePerDay)
    throw errors.rateLimited(`С одного номера можно подать не более ${WEB_LIMITS.perPhonePerDay} заявок в сутки через сайт. Позвоните в Центр обработки заявок.`);
  if ((rows[0]?.by_address ?? 0) >= WEB_LIMITS.perApartmentPerDay)
    throw errors.rateLimited("По этому адресу за сутки уже подано много заявок через сайт. Позвоните в Центр обработки заявок.");
}

/** A ticket found by number whose phone matches; null otherwise (same answer for both). */
async function findOwnTicket(number: string, rawPhone: string) {
  const phone = normalizePhone(rawPhone);
  const t = phone ? await Ticket.findOne({ where: { number } }) : null;
  if (!t || !phone || t.contactPhone !== phone) return null;
  const resident = t.residentId ? await Resident.findByPk(t.residentId) : null;
  return { ticket: t, resident };
}

export function residentRoutes(): Router {
  const r = new Router();
  r.use(panelErrors);
  const photos = multer({ storage: multer.memoryStorage(), limits: { fileSize: config().uploads.maxBytes, files: MAX_PHOTOS, fields: 20 } }).array("photos", MAX_PHOTOS);
  const maybeMultipart = (ctx: Context, next: Next) => (ctx.is("multipart") ? photos(ctx as never, next) : next());

  r.get("/p/api/buildings", async (ctx) => {
    const q = parse(z.object({ q: z.string().trim().max(100).optional(), street: z.string().trim().max(100).optional() }), ctx.query);
    let items: Array<{ id: number; street: string; house: string; buildingPart: string; address: string }> = [];
    if (q.street) {
      const list = await Building.findAll({ where: { street: { [Op.iLike]: q.street.replace(/[\\%_]/g, (c) => `\\${c}`) } }, limit: 500 });
      list.sort((a, b) => a.house.localeCompare(b.house, "ru", { numeric: true }) || a.buildingPart.localeCompare(b.buildingPart, "ru"));
      items = list.map((b) => ({ id: b.id, street: b.street, house: b.house, buildingPart: b.buildingPart, address: addressOf(b) }));
    } else if (q.q && q.q.length >= 2) {
      const needle = q.q.toLowerCase().replace(/ё/g, "е").replace(/^(ул\.?|улица)\s+/, "").replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = await sequelize().query<{ settlement: string; street: string }>(
        `SELECT DISTINCT settlement, street FROM buildings WHERE replace(lower(street), 'ё', 'е') LIKE $1 ORDER BY street LIMIT 20`,
        { bind: [`%${needle}%`], type: QueryTypes.SELECT },
      );
      items = rows.map((s) => ({ id: 0, street: s.street, house: "", buildingPart: "", address: `${s.settlement}, ${s.street}` }));
    }
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = { items };
  });

  r.get("/p/api/buildings/:id/apartments", async (ctx) => {
    const id = parse(z.coerce.number().int().positive(), ctx.params.id);
    const list = await Apartment.findAll({ where: { buildingId: id }, attributes: ["id", "number"], limit: 2000 });
    list.sort((x, y) => x.number.localeCompare(y.number, "ru", { numeric: true }));
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = { items: list.map((a) => ({ id: a.id, number: a.number })) };
  });

  r.get("/zayavka", async (ctx) => {
    page(ctx, { title: "Подать заявку", page: "resident-form", body: await residentForm(publicCsrf(ctx)) });
  });

  r.post("/zayavka", maybeMultipart, async (ctx) => {
    (ctx.state as { back?: string }).back = "/zayavka";
    const body = ctx.request.body as Record<string, unknown>;
    checkPublicCsrf(ctx, body?._pcsrf);
    const f = parse(submitSchema, clean(body));
    const phone = normalizePhone(f.phone);
    if (!phone) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
    if (f.apartmentId) {
      const apt = await Apartment.findByPk(f.apartmentId);
      if (!apt || apt.buildingId !== f.buildingId) throw errors.validationFailed([{ field: "apartmentId", message: "квартира не относится к выбранному дому" }]);
    }
    await checkRateLimits(phone, f.buildingId, f.apartmentId);
    const files = ((ctx as unknown as { files?: Array<{ buffer: Buffer; originalname: string }> }).files ?? []).filter((x) => x.buffer.length);
    // Resident, ticket and photos in one transaction: all saved, or nothing.
    const ticket = await runCommand(systemActor("веб-форма"), async (sys) => {
      // Counted with the request it lets through: refused and failed ones cost nothing.
      await spendBudget("residentForm", ctx.ip, sys.transaction);
      const { resident } = await residentFinder({ ctx: sys, input: { phone, fullName: f.name, apartmentId: f.apartmentId, consentVersion: WEB_CONSENT.version } });
      // The consent log: which text, when, through which channel (the personal-data registry).
      await sequelize().query("INSERT INTO consent_texts (version, text) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING", {
        bind: [WEB_CONSENT.version, WEB_CONSENT.text],
        transaction: sys.transaction,
      });
      await personalDataConsentRecorder({ ctx: sys, residentId: resident.id, version: WEB_CONSENT.version, channel: "web" });
      return runCommand(
        residentActor(resident),
        async (c) => {
          const t = await ticketCreator({
            ctx: c,
            input: { channel: "web", categoryId: f.categoryId, description: f.description, buildingId: f.buildingId, apartmentId: f.apartmentId ?? null, contactName: f.name, contactPhone: phone },
          });
          for (const file of files) await attachmentAdder({ ctx: c, ticketId: t.id, kind: "photo", originalName: file.originalname, data: file.buffer });
          return t;
        },
        sys,
      );
    });
    setFlash(ctx, { kind: "ok", text: `Заявка № ${ticket.number} принята. Оператор позвонит вам для подтверждения, после этого она уйдёт в управляющую организацию. Статус можно узнать по номеру заявки и телефону.` });
    ctx.redirect("/status");
    ctx.status = 303;
  });

  r.get("/status", (ctx) => {
    page(ctx, { title: "Статус заявки", page: "resident-status", body: statusLookup(publicCsrf(ctx)) });
  });

  r.post("/status", async (ctx) => {
    (ctx.state as { back?: string }).back = "/status";
    const body = ctx.request.body as Record<string, unknown>;
    checkPublicCsrf(ctx, body?._pcsrf);
    await checkLookupBudget(ctx.ip);
    const f = parse(lookupSchema, body);
    const own = await findOwnTicket(f.number, f.phone);
    if (!own) {
      await lookupFailed(ctx.ip);
      throw errors.notFound("ticket");
    }
    await showStatus(ctx, own.ticket.id, own.resident, f.phone);
  });

  r.post("/status/act", async (ctx) => {
    (ctx.state as { back?: string }).back = "/status";
    const body = ctx.request.body as Record<string, unknown>;
    checkPublicCsrf(ctx, body?._pcsrf);
    await checkLookupBudget(ctx.ip);
    const f = parse(actSchema, clean(body));
    const own = await findOwnTicket(f.number, f.phone);
    if (!own?.resident) {
      await lookupFailed(ctx.ip);
      throw errors.notFound("ticket");
    }
    const input = f.action === "confirm" ? { rating: f.rating } : { reason: f.reason };
    await runCommand(residentActor(own.resident), (c) => ticketActionTaker({ ctx: c, ticketId: own.ticket.id, action: f.action, input, expectedVersion: f.expectedVersion }));
    const notice = f.action === "confirm" ? "Спасибо! Заявка закрыта." : "Заявка возвращена в управляющую организацию.";
    await showStatus(ctx, own.ticket.id, own.resident, f.phone, notice);
  });

  return r;
}

async function showStatus(ctx: Context, ticketId: number, resident: Resident | null, phone: string, notice?: string) {
  const state = { actor: resident ? residentActor(resident) : systemActor("статус") } as AppState;
  const { view } = await loadTicketCard(state, ticketId);
  const actions = resident ? (view.actions ?? []).filter((a) => a.action === "confirm" || a.action === "dispute") : [];
  page(ctx, { title: `Заявка № ${view.number}`, page: "resident-status", body: statusPage(view, actions, publicCsrf(ctx), phone, notice) });
}

