// Reference data and directories the adapters need: categories, addresses, residents,
// organisations, users.
import Router from "@koa/router";
import { Op } from "sequelize";
import { z } from "zod";
import { createApiToken } from "../../auth/sessions.ts";
import { forgetCategories } from "../../reference/categoryCache.ts";
import { hashPassword, generatePassword } from "../../auth/passwords.ts";
import { invalidateCalendar } from "../../deadlines/calendar.ts";
import { errors } from "../../errors.ts";
import { normalizePhone } from "../../lib/phone.ts";
import { Apartment, Building } from "../../models/Building.ts";
import { Category, DEADLINE_UNITS } from "../../models/Category.ts";
import { Organisation, OrganisationLink, ORG_TYPES } from "../../models/Organisation.ts";
import { Resident } from "../../models/Resident.ts";
import { STAFF_ROLES, User } from "../../models/User.ts";
import { authorize } from "../../policies/index.ts";
import { presentApartment, presentBuilding, presentCategory, presentOrganisation, presentResident, presentUser } from "../../presenters/directory.ts";
import { logPersonalDataView } from "../../commands/personalDataViewLogger.ts";
import { requireStaff, type AppState } from "../middleware/auth.ts";
import { parse } from "../middleware/validate.ts";

const id = z.coerce.number().int().positive();
const ROLE_ORG: Record<string, string | null> = {
  admin: null,
  operator: "call_centre",
  agency: "agency",
  uo: "management_company",
  contractor: "contractor",
  supplier: "resource_supplier",
  oversight: "oversight",
};

const categoryPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    deadlineValue: z.number().int().min(0).max(10000).optional(),
    deadlineUnit: z.enum(DEADLINE_UNITS).optional(),
    deadlineBasis: z.string().trim().min(1).max(500).optional(),
    emergency: z.boolean().optional(),
    active: z.boolean().optional(),
  })
  .strict();

const userCreate = z
  .object({
    login: z.string().trim().min(3).max(60).regex(/^[a-zA-Z0-9._-]+$/, "латинские буквы, цифры, точка, дефис"),
    fullName: z.string().trim().min(3).max(200),
    position: z.string().trim().max(200).optional(),
    role: z.enum(STAFF_ROLES),
    organisationId: id.optional().nullable(),
    email: z.string().trim().email("неверный e-mail").optional(),
    extension: z.string().trim().regex(/^\d{2,6}$/, "внутренний номер: 2–6 цифр").optional(),
  })
  .strict();

export function directoryRouter(): Router {
  const r = new Router({ prefix: "/api" });

  r.get("/categories", async (ctx) => {
    const all = await Category.findAll({ where: { active: true }, order: [["sortOrder", "ASC"], ["id", "ASC"]] });
    ctx.body = { items: all.map(presentCategory) };
  });

  r.patch("/categories/:id", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "category:manage");
    const c = await Category.findByPk(parse(id, ctx.params.id));
    if (!c) throw errors.notFound("category");
    await c.update(parse(categoryPatch, ctx.request.body));
    forgetCategories();
    ctx.body = presentCategory(c);
  });

  r.put("/calendar/:day", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "calendar:manage");
    const day = parse(
      z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => {
        const t = new Date(`${d}T00:00:00Z`);
        return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
      }, "такой даты не существует"),
      ctx.params.day,
    );
    const { kind, note } = parse(z.object({ kind: z.enum(["off", "work", "short", "normal"]), note: z.string().max(200).optional() }).strict(), ctx.request.body);
    const db = Category.sequelize!;
    if (kind === "normal") await db.query("DELETE FROM calendar_days WHERE day = $1", { bind: [day] });
    else
      await db.query("INSERT INTO calendar_days (day, kind, note) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET kind = $2, note = $3", {
        bind: [day, kind, note ?? null],
      });
    invalidateCalendar();
    ctx.status = 204;
  });

  r.get("/buildings", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "building:list");
    const q = parse(z.object({ q: z.string().trim().max(100).optional(), street: z.string().trim().max(100).optional(), uoId: id.optional() }), ctx.query);
    const where: Record<string | symbol, unknown> = {};
    if (q.street) where.street = { [Op.iLike]: q.street };
    if (q.uoId) where.uoId = q.uoId;
    if (q.q) {
      const [street, house] = q.q.split(/[,\s]+(?=\d)/);
      where.street = { [Op.iLike]: `%${street!.replace(/^(ул\.?|улица|пр\.?|проспект)\s*/i, "")}%` };
      if (house) where.house = { [Op.iLike]: `${house}%` };
    }
    const list = await Building.findAll({ where, order: [["street", "ASC"], ["house", "ASC"]], limit: 50 });
    ctx.body = { items: list.map(presentBuilding) };
  });

  r.get("/buildings/:id/apartments", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "building:list");
    const list = await Apartment.findAll({ where: { buildingId: parse(id, ctx.params.id) }, limit: 2000 });
    list.sort((x, y) => x.number.localeCompare(y.number, "ru", { numeric: true }));
    ctx.body = { items: list.map(presentApartment) };
  });

  r.get("/residents", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "resident:search");
    const q = parse(z.object({ phone: z.string().trim().min(5).max(30) }), ctx.query);
    const phone = normalizePhone(q.phone);
    if (!phone) throw errors.validationFailed([{ field: "phone", message: "номер телефона не распознан" }]);
    const list = await Resident.findAll({ where: { phone }, include: [{ model: Apartment, as: "apartments", include: [{ model: Building, as: "building" }] }] });
    await logPersonalDataView(a, list.map((r) => ({ residentId: r.id })), "resident_search");
    ctx.body = { items: list.map(presentResident) };
  });

  r.get("/organisations", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "organisation:list");
    const q = parse(z.object({ type: z.enum(ORG_TYPES).optional(), servingUoId: id.optional() }), ctx.query);
    const where: Record<string, unknown> = { active: true };
    if (q.type) where.type = q.type;
    if (q.servingUoId) {
      const links = await OrganisationLink.findAll({ where: { uoId: q.servingUoId } });
      where.id = links.map((l) => l.providerId);
    }
    const list = await Organisation.findAll({ where, order: [["shortName", "ASC"]] });
    ctx.body = { items: list.map(presentOrganisation) };
  });

  r.get("/organisations/:id/staff", async (ctx) => {
    const a = requireStaff(ctx);
    const orgId = parse(id, ctx.params.id);
    if (!(a.orgId === orgId || ["admin", "agency"].includes(a.role))) throw errors.notFound("organisation");
    const list = await User.findAll({ where: { organisationId: orgId, active: true }, order: [["fullName", "ASC"]] });
    ctx.body = { items: list.map((u) => ({ id: u.id, fullName: u.fullName, position: u.position })) };
  });

  r.get("/users", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "user:list");
    const list = await User.findAll({ include: [{ model: Organisation, as: "organisation" }], order: [["id", "ASC"]] });
    ctx.body = { items: list.map(presentUser) };
  });

  r.post("/users", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "user:manage");
    const body = parse(userCreate, ctx.request.body);
    const needType = ROLE_ORG[body.role];
    if (needType) {
      const org = body.organisationId ? await Organisation.findByPk(body.organisationId) : null;
      if (!org || org.type !== needType) throw errors.validationFailed([{ field: "organisationId", message: "роль не соответствует типу организации" }]);
    }
    if (body.role === "admin" && a.role !== "admin") throw errors.forbidden();
    const exists = await User.findOne({ where: User.sequelize!.where(User.sequelize!.fn("lower", User.sequelize!.col("login")), body.login.toLowerCase()) });
    if (exists) throw errors.conflict("login_taken", "Такой логин уже занят.");
    const password = generatePassword();
    const u = await User.create({
      ...body,
      organisationId: needType ? body.organisationId! : null,
      position: body.position ?? null,
      email: body.email ?? null,
      phone: null,
      extension: body.extension ?? null,
      passwordHash: await hashPassword(password),
      mustChangePassword: true,
      lockedUntil: null,
      lastLoginAt: null,
    });
    ctx.status = 201;
    ctx.body = { user: presentUser(u), oneTimePassword: password };
  });

  r.patch("/users/:id", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "user:manage");
    const u = await User.findByPk(parse(id, ctx.params.id));
    if (!u) throw errors.notFound("user");
    const body = parse(z.object({ active: z.boolean().optional(), extension: z.string().regex(/^\d{2,6}$/).nullable().optional() }).strict(), ctx.request.body);
    await u.update(body);
    if (body.active === false) await User.sequelize!.query("DELETE FROM sessions WHERE user_id = $1", { bind: [u.id] });
    ctx.body = presentUser(u);
  });

  r.post("/tokens", async (ctx) => {
    const a = requireStaff(ctx);
    authorize(a, "token:manage");
    const body = parse(z.object({ userId: id, name: z.string().trim().min(1).max(100) }).strict(), ctx.request.body);
    const u = await User.findByPk(body.userId);
    if (!u) throw errors.notFound("user");
    ctx.status = 201;
    ctx.body = { token: await createApiToken(u, body.name) };
  });

  return r;
}

export type { AppState };
